//! OpenAPI 3.1 and 3.2 (JSON Schema 2020-12) → the 3.0-shaped raw tree every later stage reads.
//!
//! Nodes are rewritten in place, so a node left as written keeps its pointer and its line. A
//! node the rewrite creates or moves is recorded in [`Origins`] with the pointer of what it came
//! from, and diagnostics and errors name that original place. What 3.0's shape cannot say is
//! dropped with a coded diagnostic, never silently.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::uri::{Base, Names};
use super::version::Version;
use crate::diag::{Diagnostic, Severity};
use crate::locate::join;
use crate::spec::paths::METHODS;

/// Where nodes of the normalized tree came from: normalized pointer → original pointer, for
/// the nodes the rewrite created or moved (everything below them follows).
#[derive(Debug, Clone, Default)]
pub struct Origins(BTreeMap<String, String>);

impl Origins {
    /// True when no node was moved or created.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn record(&mut self, normalized: String, original: String) {
        if normalized != original {
            self.0.insert(normalized, original);
        }
    }

    /// The pointer in the document as written of the node at `ptr` in the normalized tree.
    pub fn original(&self, ptr: &str) -> String {
        if self.0.is_empty() {
            return ptr.to_string();
        }
        let mut end = ptr.len();
        loop {
            let prefix = &ptr[..end];
            if let Some(orig) = self.0.get(prefix) {
                return format!("{orig}{}", &ptr[end..]);
            }
            match prefix.rfind('/') {
                Some(i) if i > 0 => end = i,
                _ => return ptr.to_string(),
            }
        }
    }
}

/// The JSON Schema dialect OpenAPI 3.1 and 3.2 define, which this normalization reads.
const OAS_DIALECTS: [&str; 2] = ["https://spec.openapis.org/oas/3.1/dialect/base", "https://spec.openapis.org/oas/3.1/dialect/2024-10-25"];

/// Keywords 3.0's shape has no place for: validation only, or a type no Rust type follows from.
const IGNORED_KEYWORDS: [&str; 11] = [
    "dependentRequired",
    "dependentSchemas",
    "if",
    "then",
    "else",
    "not",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$dynamicRef",
    "patternProperties",
    "propertyNames",
];

/// The keywords that belong to one `type`, moved into that type's alternative when a `type`
/// array names several.
fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "string" => &["format", "pattern", "minLength", "maxLength", "contentEncoding", "contentMediaType"],
        "integer" | "number" => &["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
        "array" => &["items", "prefixItems", "minItems", "maxItems", "uniqueItems"],
        "object" => &["properties", "required", "additionalProperties", "minProperties", "maxProperties"],
        _ => &[],
    }
}

/// What normalization found: where moved nodes came from, and what it could not carry over.
pub struct Normalized {
    pub origins: Origins,
    pub notes: Vec<Diagnostic>,
}

/// Rewrites a 3.1 or 3.2 document into the 3.0 shape (2.0 and 3.0 documents are left as they
/// are: 2.0 is converted by `swagger`).
pub fn normalize(version: Version, raw: &mut Value) -> Normalized {
    let mut n = Normalizer { version, origins: Origins::default(), notes: Vec::new(), names: Names::default() };
    if version >= Version::V31 {
        n.document(raw);
        let names = std::mem::take(&mut n.names);
        names.rewrite(raw);
    }
    Normalized { origins: n.origins, notes: n.notes }
}

struct Normalizer {
    version: Version,
    origins: Origins,
    notes: Vec<Diagnostic>,
    names: Names,
}

/// Each member of the object at `node`'s `key`, with its pointer.
fn each<'v>(node: &'v mut Value, key: &str, ptr: &str) -> Vec<(&'v mut Value, String)> {
    let at = join(ptr, key);
    match node.get_mut(key) {
        Some(Value::Object(m)) => m.iter_mut().map(|(k, v)| (v, join(&at, k))).collect(),
        Some(Value::Array(a)) => a.iter_mut().enumerate().map(|(i, v)| (v, format!("{at}/{i}"))).collect(),
        _ => Vec::new(),
    }
}

impl Normalizer {
    fn note(&mut self, code: &'static str, ptr: &str, message: String) {
        let pointer = self.origins.original(ptr);
        self.notes.push(Diagnostic { severity: Severity::Warning, code, pointer, line: None, message });
    }

    fn document(&mut self, raw: &mut Value) {
        if let Some(dialect) = raw.get("jsonSchemaDialect").and_then(Value::as_str) {
            if !OAS_DIALECTS.contains(&dialect) {
                let shown = crate::escape::rust_str(&dialect.chars().take(200).collect::<String>());
                self.note("json-schema-dialect", "/jsonSchemaDialect", format!("schemas are declared in the dialect {shown}; they are read as OpenAPI's own dialect (JSON Schema 2020-12 with OpenAPI's keywords)"));
            }
        }
        if let Some(Value::Object(hooks)) = raw.get("webhooks") {
            let names: Vec<String> = hooks.keys().cloned().collect();
            for name in names {
                self.note("webhook-ignored", &join("/webhooks", &name), "webhooks are requests the API sends, not ones a client makes; no code is generated for them".into());
            }
        }
        if let Some(Value::Object(paths)) = raw.get_mut("paths") {
            // Extensions under `paths` are not path items.
            for (path, item) in paths.iter_mut().filter(|(k, _)| crate::spec::paths::is_path(k)) {
                self.path_item(item, &join("/paths", path));
            }
        }
        let Some(components) = raw.get_mut("components") else { return };
        for (s, ptr) in each(components, "schemas", "/components") {
            self.schema(s, &ptr, &Base::default());
        }
        for (p, ptr) in each(components, "parameters", "/components") {
            self.parameter(p, &ptr);
        }
        for (h, ptr) in each(components, "headers", "/components") {
            self.parameter(h, &ptr);
        }
        for (b, ptr) in each(components, "requestBodies", "/components") {
            self.content(b, &ptr, false);
        }
        for (r, ptr) in each(components, "responses", "/components") {
            self.response(r, &ptr);
        }
        for (item, ptr) in each(components, "pathItems", "/components") {
            self.path_item(item, &ptr);
        }
        for (cb, ptr) in each(components, "callbacks", "/components") {
            self.callback(cb, &ptr);
        }
    }

    fn path_item(&mut self, item: &mut Value, ptr: &str) {
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                self.operation(op, &join(ptr, method));
            }
        }
        for (op, at) in each(item, "additionalOperations", ptr) {
            self.operation(op, &at);
        }
        for (p, at) in each(item, "parameters", ptr) {
            self.parameter(p, &at);
        }
    }

    fn operation(&mut self, op: &mut Value, ptr: &str) {
        for (p, at) in each(op, "parameters", ptr) {
            self.parameter(p, &at);
        }
        if let Some(body) = op.get_mut("requestBody") {
            self.content(body, &join(ptr, "requestBody"), false);
        }
        for (r, at) in each(op, "responses", ptr) {
            self.response(r, &at);
        }
        for (cb, at) in each(op, "callbacks", ptr) {
            self.callback(cb, &at);
        }
    }

    fn callback(&mut self, cb: &mut Value, ptr: &str) {
        if cb.get("$ref").is_some() {
            return;
        }
        if let Value::Object(m) = cb {
            for (k, item) in m.iter_mut() {
                self.path_item(item, &join(ptr, k));
            }
        }
    }

    /// A parameter or header: its `schema` or its `content`.
    fn parameter(&mut self, p: &mut Value, ptr: &str) {
        if let Some(s) = p.get_mut("schema") {
            self.schema(s, &join(ptr, "schema"), &Base::default());
        }
        self.content(p, ptr, false);
    }

    fn response(&mut self, r: &mut Value, ptr: &str) {
        for (h, at) in each(r, "headers", ptr) {
            self.parameter(h, &at);
        }
        self.content(r, ptr, true);
    }

    /// The media types under `content` of a request body, response, parameter or header.
    /// `build` reads the `itemSchema` of a response's JSON Lines or event stream.
    fn content(&mut self, holder: &mut Value, ptr: &str, response: bool) {
        let keys: Vec<String> = holder
            .get("content")
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        for ((media, at), key) in each(holder, "content", ptr).into_iter().zip(keys) {
            let read = response && crate::spec::content::stream_format(&key).is_some();
            if let Some(s) = media.get_mut("schema") {
                self.schema(s, &join(&at, "schema"), &Base::default());
            }
            if let Some(s) = media.get_mut("itemSchema") {
                let item_at = join(&at, "itemSchema");
                self.schema(s, &item_at, &Base::default());
                if !read {
                    self.note("item-schema-ignored", &item_at, "`itemSchema` (a schema for each item of a streamed body) is read only in responses of JSON Lines or server-sent events; here the body is generated from `schema` (or as bytes when there is none)".into());
                }
            }
            for (enc, enc_at) in each(media, "encoding", &at) {
                for (h, h_at) in each(enc, "headers", &enc_at) {
                    self.parameter(h, &h_at);
                }
            }
        }
    }

    /// One schema and everything inside it.
    fn schema(&mut self, node: &mut Value, ptr: &str, base: &Base) {
        if *node == Value::Bool(true) {
            *node = json!({});
            return;
        }
        let Value::Object(map) = node else { return };
        let mut base = base.clone();
        if let Some(id) = map.get("$id").and_then(Value::as_str) {
            match self.names.declare_id(&base, id, ptr) {
                Some(b) => base = b,
                None => self.note("schema-name-too-long", &join(ptr, "$id"), format!("this `$id` is longer than {} bytes; it is not indexed, so references to it are not followed", super::uri::MAX_NAME_LEN)),
            }
        }
        for key in ["$anchor", "$dynamicAnchor"] {
            if let Some(name) = map.get(key).and_then(Value::as_str) {
                if !self.names.declare_anchor(&base, name, ptr) {
                    self.note("schema-name-too-long", &join(ptr, key), format!("this anchor is longer than {} bytes; it is not indexed, so references to it are not followed", super::uri::MAX_NAME_LEN));
                }
            }
        }
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            self.names.reference(&base, join(ptr, "$ref"), reference);
        }
        self.keywords(map, ptr);
        self.children(map, ptr, &base);
    }

    /// The schemas inside a schema.
    fn children(&mut self, map: &mut Map<String, Value>, ptr: &str, base: &Base) {
        for key in ["properties", "$defs", "definitions"] {
            if let Some(Value::Object(m)) = map.get_mut(key) {
                let at = join(ptr, key);
                for (k, v) in m.iter_mut() {
                    self.schema(v, &join(&at, k), base);
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(a)) = map.get_mut(key) {
                for (i, v) in a.iter_mut().enumerate() {
                    self.schema(v, &format!("{ptr}/{key}/{i}"), base);
                }
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(v @ Value::Object(_)) = map.get_mut(key) {
                self.schema(v, &join(ptr, key), base);
            }
        }
    }

    /// The keywords of one schema node, rewritten into their 3.0 form.
    fn keywords(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        if map.contains_key("nullable") {
            self.note("openapi-3-0-keyword", &join(ptr, "nullable"), format!("`nullable` is OpenAPI 3.0's; in {} write `type: [T, \"null\"]`. It is still honoured", self.version.label()));
        }
        for key in ["exclusiveMinimum", "exclusiveMaximum"] {
            if map.get(key).is_some_and(Value::is_boolean) {
                self.note("openapi-3-0-keyword", &join(ptr, key), format!("a boolean `{key}` is OpenAPI 3.0's; in {} it holds the bound itself. It is still honoured", self.version.label()));
            }
        }
        for key in IGNORED_KEYWORDS {
            if map.remove(key).is_some() {
                self.note("schema-keyword-ignored", &join(ptr, key), format!("`{key}` has no Rust type to express it; the generated type does not check it"));
            }
        }
        self.null_alternatives(map, ptr);
        // `const` first: the value may say which of several types the schema has.
        if let Some(v) = map.remove("const") {
            if !map.contains_key("enum") {
                map.insert("enum".into(), Value::Array(vec![v]));
                self.origins.record(join(ptr, "enum"), self.origins.original(&join(ptr, "const")));
            }
        }
        self.type_array(map, ptr);
        if let Some(Value::Array(mut examples)) = map.remove("examples") {
            if !map.contains_key("example") && !examples.is_empty() {
                map.insert("example".into(), examples.swap_remove(0));
                self.origins.record(join(ptr, "example"), format!("{}/0", self.origins.original(&join(ptr, "examples"))));
            }
        }
        for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let Some(v @ Value::Number(_)) = map.get(exclusive).cloned() {
                map.insert(bound.into(), v);
                map.insert(exclusive.into(), Value::Bool(true));
                self.origins.record(join(ptr, bound), self.origins.original(&join(ptr, exclusive)));
            }
        }
        self.content_keywords(map, ptr);
        self.prefix_items(map, ptr);
    }

    /// `contentEncoding: base64` → `format: byte`; a `contentMediaType` that is not text or
    /// JSON, with no encoding → `format: binary`.
    fn content_keywords(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        if map.contains_key("format") {
            return;
        }
        let encoding = map.get("contentEncoding").and_then(Value::as_str);
        let media = map.get("contentMediaType").and_then(Value::as_str);
        let (format, from) = match (encoding, media) {
            (Some("base64" | "base64url"), _) => ("byte", "contentEncoding"),
            (None, Some(m)) if !(m.starts_with("text/") || m.contains("json") || m.contains("xml")) => ("binary", "contentMediaType"),
            _ => return,
        };
        map.insert("format".into(), Value::String(format.into()));
        if !map.contains_key("type") {
            map.insert("type".into(), Value::String("string".into()));
        }
        self.origins.record(join(ptr, "format"), self.origins.original(&join(ptr, from)));
    }

    /// `oneOf`/`anyOf` alternatives that only admit `null` make the schema nullable instead.
    fn null_alternatives(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(parts)) = map.get_mut(key) else { continue };
            if !parts.iter().any(is_null_schema) {
                continue;
            }
            let kept: Vec<(usize, Value)> = std::mem::take(parts).into_iter().enumerate().filter(|(_, p)| !is_null_schema(p)).collect();
            map.insert("nullable".into(), Value::Bool(true));
            let orig = self.origins.original(&join(ptr, key));
            let (new_key, kept) = if kept.len() == 1 && !map.contains_key("allOf") && !map.contains_key("properties") {
                map.remove(key);
                ("allOf", kept)
            } else {
                (key, kept)
            };
            for (j, (i, _)) in kept.iter().enumerate() {
                self.origins.record(format!("{ptr}/{new_key}/{j}"), format!("{orig}/{i}"));
            }
            if kept.is_empty() {
                map.remove(key);
            } else {
                map.insert(new_key.into(), Value::Array(kept.into_iter().map(|(_, p)| p).collect()));
            }
        }
    }

    /// `type: [T, "null"]` → `type: T, nullable: true`; several types → `oneOf` of one schema
    /// per type, each with the keywords that belong to it.
    fn type_array(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        let types: Vec<String> = match map.get("type") {
            Some(Value::String(t)) if t == "null" => vec![t.clone()],
            Some(Value::Array(list)) => {
                let mut seen = Vec::new();
                for t in list.iter().filter_map(Value::as_str) {
                    if !seen.iter().any(|s: &String| s == t) {
                        seen.push(t.to_string());
                    }
                }
                seen
            }
            _ => return,
        };
        let type_ptr = self.origins.original(&join(ptr, "type"));
        if types.iter().any(|t| t == "null") {
            map.insert("nullable".into(), Value::Bool(true));
        }
        let mut others: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        // An `enum` (or `const`) beside several types: only the types of its values remain.
        let values: Option<Vec<Value>> = map.get("enum").and_then(Value::as_array).cloned();
        if let (Some(values), true) = (&values, others.len() > 1) {
            others.retain(|t| values.iter().any(|v| value_is(t, v)));
        }
        if others.len() > 1 {
            if let Some(key) = ["oneOf", "anyOf", "allOf"]
                .into_iter()
                .find(|k| map.contains_key(*k))
            {
                // The alternatives decide the Rust type; the type list only narrows them.
                let listed: Vec<&str> = others.iter().map(|t| t.as_str()).collect();
                self.note("type-array-beside-composition", &type_ptr, format!("`type` lists {} beside `{key}`; the schema is read from `{key}` alone, which the listed types only narrow", listed.join(", ")));
                map.remove("type");
                return;
            }
        }
        match others.as_slice() {
            [] => {
                map.remove("type");
            }
            [one] => {
                map.insert("type".into(), Value::String((*one).clone()));
            }
            several => {
                // No composition is beside it (see above): the types become alternatives.
                let key = "oneOf";
                let mut parts = Vec::new();
                for (i, t) in several.iter().enumerate() {
                    let mut part = Map::new();
                    part.insert("type".into(), Value::String((*t).clone()));
                    for k in keywords_of(t) {
                        if let Some(v) = map.get(*k) {
                            part.insert((*k).to_string(), v.clone());
                        }
                    }
                    if let Some(values) = &values {
                        let own: Vec<Value> =
                            values.iter().filter(|v| value_is(t, v)).cloned().collect();
                        part.insert("enum".into(), Value::Array(own));
                        self.origins.record(
                            format!("{ptr}/{key}/{i}/enum"),
                            self.origins.original(&join(ptr, "enum")),
                        );
                    }
                    parts.push(Value::Object(part));
                    self.origins.record(format!("{ptr}/{key}/{i}"), self.origins.original(ptr));
                }
                for t in several {
                    for k in keywords_of(t) {
                        map.remove(*k);
                    }
                }
                map.remove("type");
                if values.is_some() {
                    map.remove("enum");
                }
                map.insert(key.into(), Value::Array(parts));
            }
        }
    }

    /// `prefixItems` (a tuple) → `items` that admits any of its members, with a diagnostic.
    fn prefix_items(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        if map.get("items") == Some(&Value::Bool(false)) {
            map.remove("items");
        }
        let Some(Value::Array(members)) = map.remove("prefixItems") else { return };
        let orig = self.origins.original(&join(ptr, "prefixItems"));
        self.note("tuple-as-array", &join(ptr, "prefixItems"), "`prefixItems` (a tuple) is generated as an array whose items may be any of its members".into());
        let mut parts: Vec<(Value, String)> = members.into_iter().enumerate().map(|(i, m)| (m, format!("{orig}/{i}"))).collect();
        if let Some(rest @ Value::Object(_)) = map.remove("items") {
            parts.push((rest, self.origins.original(&join(ptr, "items"))));
        }
        let items_ptr = join(ptr, "items");
        if parts.len() == 1 {
            let (only, from) = parts.remove(0);
            self.origins.record(items_ptr, from);
            map.insert("items".into(), only);
            return;
        }
        let mut list = Vec::new();
        for (i, (p, from)) in parts.into_iter().enumerate() {
            self.origins.record(format!("{items_ptr}/anyOf/{i}"), from);
            list.push(p);
        }
        if !list.is_empty() {
            map.insert("items".into(), json!({ "anyOf": list }));
        }
    }
}

/// True when the JSON value `v` is of the JSON Schema type `t`.
fn value_is(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// A schema that admits only `null`: `{type: "null"}`, `{type: ["null"]}`, `{const: null}`,
/// `{enum: [null]}`.
fn is_null_schema(v: &Value) -> bool {
    let Some(m) = v.as_object() else { return false };
    match m.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(a)) => !a.is_empty() && a.iter().all(|t| t == "null"),
        _ => m.get("const").is_some_and(Value::is_null) || m.get("enum").and_then(Value::as_array).is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_null)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(schema: Value) -> (Value, Normalized) {
        let mut raw = json!({"openapi": "3.1.0", "components": {"schemas": {"S": schema}}});
        let n = normalize(Version::V31, &mut raw);
        (raw["components"]["schemas"]["S"].clone(), n)
    }

    #[test]
    fn type_arrays_become_nullable_or_alternatives() {
        assert_eq!(norm(json!({"type": ["string", "null"]})).0, json!({"type": "string", "nullable": true}));
        let (s, n) = norm(json!({"type": ["string", "integer"], "format": "int32", "maxLength": 3, "description": "d"}));
        assert_eq!(s, json!({"description": "d", "oneOf": [{"type": "string", "format": "int32", "maxLength": 3}, {"type": "integer", "format": "int32"}]}));
        assert_eq!(n.origins.original("/components/schemas/S/oneOf/1/format"), "/components/schemas/S/format");
        assert_eq!(norm(json!({"type": "null"})).0, json!({"nullable": true}));
    }

    #[test]
    fn null_alternatives_const_examples_and_bounds() {
        let (s, n) = norm(json!({"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/T"}]}));
        assert_eq!(s, json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]}));
        assert_eq!(n.origins.original("/components/schemas/S/allOf/0/$ref"), "/components/schemas/S/anyOf/1/$ref");
        assert_eq!(norm(json!({"const": "a", "examples": ["x", "y"]})).0, json!({"enum": ["a"], "example": "x"}));
        assert_eq!(norm(json!({"type": "integer", "exclusiveMinimum": 5})).0, json!({"type": "integer", "exclusiveMinimum": true, "minimum": 5}));
        assert_eq!(norm(json!({"type": "string", "contentEncoding": "base64"})).0["format"], "byte");
        assert_eq!(norm(json!({"type": "string", "contentMediaType": "image/png"})).0["format"], "binary");
    }

    #[test]
    fn what_cannot_be_carried_over_is_named() {
        let (s, n) = norm(json!({"type": "object", "if": {}, "then": {}, "not": {}, "nullable": true, "prefixItems": [{"type": "string"}, {"type": "integer"}]}));
        assert_eq!(s["items"], json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}));
        let codes: Vec<(&str, &str)> = n.notes.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert!(codes.contains(&("schema-keyword-ignored", "/components/schemas/S/if")), "{codes:?}");
        assert!(codes.contains(&("openapi-3-0-keyword", "/components/schemas/S/nullable")), "{codes:?}");
        assert!(codes.contains(&("tuple-as-array", "/components/schemas/S/prefixItems")), "{codes:?}");
        assert_eq!(n.origins.original("/components/schemas/S/items/anyOf/1"), "/components/schemas/S/prefixItems/1");
    }

    #[test]
    fn three_oh_documents_are_left_as_written() {
        let mut raw = json!({"openapi": "3.0.3", "components": {"schemas": {"S": {"type": ["string", "null"]}}}});
        let before = raw.clone();
        let n = normalize(Version::V30, &mut raw);
        assert_eq!(raw, before);
        assert!(n.origins.is_empty() && n.notes.is_empty());
    }
}
