#!/usr/bin/env bash
# Cross-checks spec-diff's Rust-level verdict against cargo-semver-checks on the crates the
# generator makes from each diff case (`generator/tests/diff-fixtures/<case>/{old,new}.yaml`).
# For every case: generate OLD's and NEW's crate (same name, same version), ask spec-diff which
# bump NEW needs, ask `cargo semver-checks check-release` whether NEW breaks OLD's API, and print
# one row per case plus the cases where the two disagree. cargo-semver-checks only finds breaks
# (and a few minor-only lints, such as a new #[deprecated]), so "minor" from spec-diff agrees with
# "no break" from it.
#
# Needs `cargo-semver-checks` on PATH (or CARGO_SEMVER_CHECKS=/path/to/binary); install it with
# `cargo install cargo-semver-checks --locked`. Everything it writes stays under target/.
# Usage: semver-checks-compare.sh [CASE...]   (default: every case)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/target/semver-checks"
csc="${CARGO_SEMVER_CHECKS:-$(command -v cargo-semver-checks || true)}"
if [ -z "$csc" ]; then
    echo "cargo-semver-checks not found: cargo install cargo-semver-checks --locked" >&2
    exit 2
fi

cargo build --release -q -p openapi-rustgen --manifest-path "$root/Cargo.toml"
cargo build -q -p xtask --manifest-path "$root/Cargo.toml"
bin="$root/target/release/openapi-rustgen"
xtask="$root/target/debug/xtask"

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    mapfile -t cases < <(ls "$root/generator/tests/diff-fixtures")
fi

mkdir -p "$work"
# One target dir for every rustdoc run, so the dependencies are documented once.
export CARGO_TARGET_DIR="$work/target"
agree=0
disagree=()
skipped=()
printf '%-48s %-8s %-14s\n' case ours semver-checks
for case in "${cases[@]}"; do
    src="$root/generator/tests/diff-fixtures/$case"
    dir="$work/$case"
    rm -rf "$dir"
    mkdir -p "$dir"
    ok=1
    for side in old new; do
        if ! (cd "$dir" && "$bin" --spec "$src/$side.yaml" --out "$side" --name case >"$side.log" 2>&1); then
            ok=0
        fi
    done
    if [ $ok = 0 ]; then
        # A case whose document the generator refuses (on purpose, e.g. nesting-too-deep).
        skipped+=("$case")
        printf '%-48s %-8s %-14s\n' "$case" "-" "(not generated)"
        continue
    fi
    # spec-diff's bump: the word after "a " in "(… a major change …)" / "minor" / "patch".
    line=$("$xtask" spec-diff "$src/old.yaml" "$src/new.yaml" --no-code-summary 2>/dev/null | grep -m1 '^Generated crate:' || true)
    case "$line" in
        *"a major change"*) ours=major ;;
        *"a minor change"*) ours=minor ;;
        *) ours=patch ;;
    esac
    if (cd "$dir" && "$csc" semver-checks check-release --manifest-path new/Cargo.toml --baseline-root old \
            --all-features --release-type patch >csc.log 2>&1); then
        theirs="no-break"
    elif grep -q "requires new major version" "$dir/csc.log"; then
        theirs="major"
    elif grep -q "requires new minor version" "$dir/csc.log"; then
        theirs="minor"
    else
        theirs="error"
    fi
    printf '%-48s %-8s %-14s\n' "$case" "$ours" "$theirs"
    # cargo-semver-checks reports no additions, so "minor" here agrees with "no-break" there; a
    # "minor" there (e.g. a new #[deprecated]) needs at least "minor" here.
    if [ "$ours/$theirs" = major/major ] || [ "$ours/$theirs" = minor/no-break ] \
        || [ "$ours/$theirs" = minor/minor ] || [ "$ours/$theirs" = patch/no-break ]; then
        agree=$((agree + 1))
    else
        disagree+=("$case: spec-diff $ours, cargo-semver-checks $theirs ($dir/csc.log)")
    fi
done
echo "agree: $agree/$(( ${#cases[@]} - ${#skipped[@]} )) generated cases (${#skipped[@]} not generated)"
for d in "${disagree[@]}"; do echo "  disagree: $d"; done
