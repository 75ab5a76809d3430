#!/usr/bin/env bash
# Reads every Swagger 2.0 fixture twice: directly, and after converting it to OpenAPI 3.0 with
# npm `swagger2openapi` 7.0.8, then compares the two generated crates file by file and prints
# the differences (`diff -u`). Everything it fetches or writes stays under target/ (never
# committed). ARCHITECTURE.md ("Swagger 2.0 against swagger2openapi") lists the differences
# and why they are there.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/target/swagger2openapi"
version="7.0.8"

mkdir -p "$work"
if [ ! -x "$work/node_modules/.bin/swagger2openapi" ]; then
    (cd "$work" && npm install --silent --no-audit --no-fund "swagger2openapi@$version" >/dev/null)
fi
convert="$work/node_modules/.bin/swagger2openapi"

cargo build -q -p openapi-rustgen --manifest-path "$root/Cargo.toml"
bin="$root/target/debug/openapi-rustgen"

mapfile -t docs < <(cd "$root/generator/tests" && grep -lE "^swagger: ['\"]?2\.0" fixtures/*/openapi.yaml versions/*.yaml | sort)
echo "Swagger 2.0 documents: ${#docs[@]}"
same=0
for doc in "${docs[@]}"; do
    name="$(echo "${doc%.yaml}" | tr '/' '-')"
    dir="$work/$name"
    rm -rf "$dir"
    mkdir -p "$dir/direct" "$dir/converted"
    cp "$root/generator/tests/$doc" "$dir/direct/openapi.yaml"
    # `--patch --warnOnly`: fix small errors, and mark what it would otherwise refuse
    # (`collectionFormat: tsv`) with an `x-s2o-warning` instead.
    "$convert" --patch --warnOnly -y -o "$dir/converted/openapi.yaml" "$dir/direct/openapi.yaml"
    for side in direct converted; do
        # Relative paths, so the generated headers (which name them) match.
        (cd "$dir/$side" && "$bin" --spec openapi.yaml --out crate --name fixture >log.txt 2>&1) || {
            echo "$doc ($side): generation failed:"; cat "$dir/$side/log.txt"; exit 1;
        }
    done
    if diff -ru "$dir/direct/crate" "$dir/converted/crate" > "$dir/diff.txt"; then
        echo "$doc: the same crate"
        same=$((same + 1))
    else
        echo "$doc: differs ($(grep -c '^[-+][^-+]' "$dir/diff.txt") changed lines; $dir/diff.txt)"
        cat "$dir/diff.txt"
    fi
    diff <(grep -oE '^warning\[[a-z0-9-]+\]' "$dir/direct/log.txt" | sort | uniq -c) \
         <(grep -oE '^warning\[[a-z0-9-]+\]' "$dir/converted/log.txt" | sort | uniq -c) \
         | sed "s|^|  warnings (< direct, > converted): |" || true
done
echo "the same crate: $same/${#docs[@]}"
