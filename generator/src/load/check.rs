//! Our own structural checks of a document, as written (before normalization): what the
//! generator relies on each member being. openapiv3 models only 3.0, so these checks are what
//! validates 3.1 and 3.2 input (and, through [`Checker::schema`], the schemas of 2.0 input,
//! whose other members `check2` checks); for 3.0 input openapiv3 decides, and these checks only find the
//! exact member behind its error when its pointer stops short (inside a schema, where its
//! untagged types lose the path). The list is in ARCHITECTURE.md ("Version dispatch").

use serde_json::{Map, Value};

use super::version::Version;
use crate::locate::join;
use crate::spec::paths::METHODS;

/// The first member found that is not what OpenAPI says it must be.
#[derive(Debug)]
pub struct Problem {
    /// JSON pointer of that member.
    pub pointer: String,
    /// What is wrong, for a reader.
    pub message: String,
}

pub(super) type Checked = Result<(), Problem>;

/// A section of `components` and its pointer, when the document has it.
type Section<'v> = Option<(&'v Map<String, Value>, String)>;

pub(super) fn problem(pointer: String, message: impl Into<String>) -> Checked {
    Err(Problem { pointer, message: message.into() })
}

/// The JSON Schema types OpenAPI's dialect defines.
pub(super) const TYPES: [&str; 7] = ["null", "boolean", "object", "array", "number", "string", "integer"];

/// `v`, when it is an object; else the problem naming `ptr`.
pub(super) fn object<'v>(v: &'v Value, ptr: &str, what: &str) -> Result<&'v Map<String, Value>, Problem> {
    v.as_object().ok_or_else(|| Problem { pointer: ptr.to_string(), message: format!("{what} must be an object, found {}", super::json_kind(v)) })
}

/// The member `key` of `m`, when it is written, is of the kind `ok` accepts.
pub(super) fn member(m: &Map<String, Value>, ptr: &str, key: &str, kind: &str, ok: fn(&Value) -> bool) -> Checked {
    match m.get(key) {
        Some(v) if !ok(v) => problem(join(ptr, key), format!("`{key}` must be {kind}, found {}", super::json_kind(v))),
        _ => Ok(()),
    }
}

pub(super) fn is_string(v: &Value) -> bool {
    v.is_string()
}

pub(super) fn is_array(v: &Value) -> bool {
    v.is_array()
}

pub(super) fn is_object(v: &Value) -> bool {
    v.is_object()
}

pub(super) fn is_bool(v: &Value) -> bool {
    v.is_boolean()
}

fn is_count(v: &Value) -> bool {
    v.as_u64().is_some() || v.as_f64().is_some_and(|f| f >= 0.0 && f.fract() == 0.0)
}

/// `info`, with its `title` and `version` strings (every version).
pub(super) fn info(root: &Map<String, Value>) -> Checked {
    let info = object(root.get("info").ok_or_else(|| Problem { pointer: "/".into(), message: "the `info` member is missing".into() })?, "/info", "`info`")?;
    for key in ["title", "version"] {
        match info.get(key) {
            None => return problem("/info".into(), format!("`info.{key}` is missing")),
            Some(v) if !v.is_string() => return problem(join("/info", key), format!("`{key}` must be a string, found {}", super::json_kind(v))),
            _ => {}
        }
    }
    Ok(())
}

/// The checks for one version.
pub struct Checker {
    version: Version,
}

impl Checker {
    pub fn new(version: Version) -> Self {
        Checker { version }
    }

    /// The whole document.
    pub fn document(&self, raw: &Value) -> Checked {
        let root = object(raw, "/", "the document")?;
        info(root)?;
        if self.version != Version::V30 && !["paths", "components", "webhooks"].iter().any(|k| root.contains_key(*k)) {
            return problem("/".into(), "the document has none of `paths`, `components` and `webhooks`");
        }
        member(root, "", "jsonSchemaDialect", "a string", is_string)?;
        self.servers(root, "")?;
        member(root, "", "security", "an array", is_array)?;
        member(root, "", "tags", "an array", is_array)?;
        if let Some(paths) = root.get("paths") {
            for (path, item) in object(paths, "/paths", "`paths`")? {
                let at = join("/paths", path);
                if path.starts_with("x-") {
                    continue;
                }
                if !crate::spec::paths::is_path(path) {
                    return problem(at, "a path must begin with `/`");
                }
                self.path_item(item, &at)?;
            }
        }
        if let Some(hooks) = root.get("webhooks") {
            for (name, item) in object(hooks, "/webhooks", "`webhooks`")? {
                self.path_item(item, &join("/webhooks", name))?;
            }
        }
        if let Some(c) = root.get("components") {
            self.components(object(c, "/components", "`components`")?)?;
        }
        Ok(())
    }

    fn servers(&self, m: &Map<String, Value>, ptr: &str) -> Checked {
        let Some(list) = m.get("servers") else { return Ok(()) };
        let at = join(ptr, "servers");
        let list = list.as_array().ok_or_else(|| Problem { pointer: at.clone(), message: format!("`servers` must be an array, found {}", super::json_kind(list)) })?;
        for (i, s) in list.iter().enumerate() {
            let p = format!("{at}/{i}");
            let s = object(s, &p, "a server")?;
            if !s.get("url").is_some_and(Value::is_string) {
                return problem(p, "a server needs a string `url`");
            }
            member(s, &p, "variables", "an object", is_object)?;
        }
        Ok(())
    }

    fn components(&self, c: &Map<String, Value>) -> Checked {
        let section = |key: &str| -> Result<Section<'_>, Problem> {
            let at = join("/components", key);
            c.get(key).map(|v| object(v, &at, &format!("`{key}`")).map(|m| (m, at))).transpose()
        };
        if let Some((m, at)) = section("schemas")? {
            for (k, s) in m {
                self.schema(s, &join(&at, k))?;
            }
        }
        if let Some((m, at)) = section("parameters")? {
            for (k, p) in m {
                self.parameter(p, &join(&at, k))?;
            }
        }
        if let Some((m, at)) = section("headers")? {
            for (k, h) in m {
                self.header(h, &join(&at, k))?;
            }
        }
        if let Some((m, at)) = section("requestBodies")? {
            for (k, b) in m {
                self.request_body(b, &join(&at, k))?;
            }
        }
        if let Some((m, at)) = section("responses")? {
            for (k, r) in m {
                self.response(r, &join(&at, k))?;
            }
        }
        if let Some((m, at)) = section("pathItems")? {
            for (k, item) in m {
                self.path_item(item, &join(&at, k))?;
            }
        }
        if let Some((m, at)) = section("callbacks")? {
            for (k, cb) in m {
                self.callback(cb, &join(&at, k))?;
            }
        }
        for key in ["securitySchemes", "examples", "links"] {
            section(key)?;
        }
        Ok(())
    }

    /// A `$ref` object: its `$ref` must be a string. True when `v` is one.
    fn reference(&self, v: &Map<String, Value>, ptr: &str) -> Result<bool, Problem> {
        match v.get("$ref") {
            None => Ok(false),
            Some(Value::String(_)) => Ok(true),
            Some(other) => problem(join(ptr, "$ref"), format!("`$ref` must be a string, found {}", super::json_kind(other))).map(|_| true),
        }
    }

    fn path_item(&self, item: &Value, ptr: &str) -> Checked {
        let item = object(item, ptr, "a path item")?;
        self.reference(item, ptr)?;
        for method in METHODS {
            if let Some(op) = item.get(method) {
                self.operation(op, &join(ptr, method))?;
            }
        }
        if let Some(extra) = item.get("additionalOperations") {
            let at = join(ptr, "additionalOperations");
            for (method, op) in object(extra, &at, "`additionalOperations`")? {
                let p = join(&at, method);
                let token = !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                if !token || method.len() > 64 {
                    return problem(p, "an HTTP method must be a token (letters, digits and `!#$%&'*+-.^_`|~`), at most 64 bytes");
                }
                if METHODS.contains(&method.to_ascii_lowercase().as_str()) {
                    return problem(p, format!("`{}` has a field of its own in a path item; write it there, not under `additionalOperations`", method.to_ascii_lowercase()));
                }
                self.operation(op, &p)?;
            }
        }
        self.parameters(item, ptr)?;
        self.servers(item, ptr)
    }

    fn parameters(&self, m: &Map<String, Value>, ptr: &str) -> Checked {
        let Some(list) = m.get("parameters") else { return Ok(()) };
        let at = join(ptr, "parameters");
        let list = list.as_array().ok_or_else(|| Problem { pointer: at.clone(), message: format!("`parameters` must be an array, found {}", super::json_kind(list)) })?;
        for (i, p) in list.iter().enumerate() {
            self.parameter(p, &format!("{at}/{i}"))?;
        }
        Ok(())
    }

    fn operation(&self, op: &Value, ptr: &str) -> Checked {
        let op = object(op, ptr, "an operation")?;
        member(op, ptr, "operationId", "a string", is_string)?;
        member(op, ptr, "tags", "an array", is_array)?;
        member(op, ptr, "deprecated", "a boolean", is_bool)?;
        member(op, ptr, "security", "an array", is_array)?;
        self.parameters(op, ptr)?;
        self.servers(op, ptr)?;
        if let Some(b) = op.get("requestBody") {
            self.request_body(b, &join(ptr, "requestBody"))?;
        }
        if let Some(r) = op.get("responses") {
            let at = join(ptr, "responses");
            for (status, resp) in object(r, &at, "`responses`")? {
                self.response(resp, &join(&at, status))?;
            }
        }
        if let Some(cbs) = op.get("callbacks") {
            let at = join(ptr, "callbacks");
            for (k, cb) in object(cbs, &at, "`callbacks`")? {
                self.callback(cb, &join(&at, k))?;
            }
        }
        Ok(())
    }

    fn callback(&self, cb: &Value, ptr: &str) -> Checked {
        let cb = object(cb, ptr, "a callback")?;
        if self.reference(cb, ptr)? {
            return Ok(());
        }
        for (expr, item) in cb.iter().filter(|(k, _)| !k.starts_with("x-")) {
            self.path_item(item, &join(ptr, expr))?;
        }
        Ok(())
    }

    fn parameter(&self, p: &Value, ptr: &str) -> Checked {
        let p = object(p, ptr, "a parameter")?;
        if self.reference(p, ptr)? {
            return Ok(());
        }
        let Some(name) = p.get("name") else { return problem(ptr.into(), "a parameter needs a `name`") };
        if !name.is_string() {
            return problem(join(ptr, "name"), format!("`name` must be a string, found {}", super::json_kind(name)));
        }
        let locations: &[&str] = if self.version >= Version::V32 { &["query", "querystring", "header", "path", "cookie"] } else { &["query", "header", "path", "cookie"] };
        match p.get("in") {
            None => return problem(ptr.into(), "a parameter needs `in`"),
            Some(Value::String(s)) if locations.contains(&s.as_str()) => {
                if s == "path" && p.get("required") != Some(&Value::Bool(true)) {
                    return problem(ptr.into(), "a path parameter must say `required: true`");
                }
            }
            Some(other) => return problem(join(ptr, "in"), format!("`in` must be one of {}, found {other}", locations.join(", "))),
        }
        member(p, ptr, "required", "a boolean", is_bool)?;
        self.schema_or_content(p, ptr)
    }

    fn header(&self, h: &Value, ptr: &str) -> Checked {
        let h = object(h, ptr, "a header")?;
        if self.reference(h, ptr)? {
            return Ok(());
        }
        self.schema_or_content(h, ptr)
    }

    fn schema_or_content(&self, m: &Map<String, Value>, ptr: &str) -> Checked {
        if let Some(s) = m.get("schema") {
            self.schema(s, &join(ptr, "schema"))?;
        }
        self.content(m, ptr)
    }

    fn request_body(&self, b: &Value, ptr: &str) -> Checked {
        let b = object(b, ptr, "a request body")?;
        if self.reference(b, ptr)? {
            return Ok(());
        }
        if !b.contains_key("content") {
            return problem(ptr.into(), "a request body needs `content`");
        }
        member(b, ptr, "required", "a boolean", is_bool)?;
        self.content(b, ptr)
    }

    fn response(&self, r: &Value, ptr: &str) -> Checked {
        let r = object(r, ptr, "a response")?;
        if self.reference(r, ptr)? {
            return Ok(());
        }
        // 3.2 made a response's `description` optional; before, it is required.
        if self.version < Version::V32 && !r.contains_key("description") {
            return problem(ptr.to_string(), "a response needs a string `description`");
        }
        member(r, ptr, "description", "a string", is_string)?;
        if let Some(h) = r.get("headers") {
            let at = join(ptr, "headers");
            for (k, v) in object(h, &at, "`headers`")? {
                self.header(v, &join(&at, k))?;
            }
        }
        self.content(r, ptr)
    }

    fn content(&self, m: &Map<String, Value>, ptr: &str) -> Checked {
        let Some(c) = m.get("content") else { return Ok(()) };
        let at = join(ptr, "content");
        for (media, mt) in object(c, &at, "`content`")? {
            let p = join(&at, media);
            let mt = object(mt, &p, "a media type")?;
            for key in ["schema", "itemSchema"] {
                if let Some(s) = mt.get(key) {
                    self.schema(s, &join(&p, key))?;
                }
            }
            member(mt, &p, "encoding", "an object", is_object)?;
            member(mt, &p, "examples", "an object", is_object)?;
        }
        Ok(())
    }

    /// One schema and the schemas inside it.
    pub fn schema(&self, s: &Value, ptr: &str) -> Checked {
        if s.is_boolean() && self.version >= Version::V31 {
            return Ok(());
        }
        let m = object(s, ptr, "a schema")?;
        member(m, ptr, "$ref", "a string", is_string)?;
        match m.get("type") {
            None => {}
            Some(Value::String(t)) if TYPES.contains(&t.as_str()) && (self.version >= Version::V31 || t != "null") => {}
            Some(Value::Array(list)) if self.version >= Version::V31 => {
                for (i, t) in list.iter().enumerate() {
                    if !t.as_str().is_some_and(|t| TYPES.contains(&t)) {
                        return problem(format!("{ptr}/type/{i}"), format!("each `type` must be one of {}", TYPES.join(", ")));
                    }
                }
            }
            Some(Value::String(t)) => return problem(join(ptr, "type"), format!("`type` must be one of {}, found `{}`", TYPES.iter().filter(|t| self.version >= Version::V31 || **t != "null").copied().collect::<Vec<_>>().join(", "), t.chars().take(64).collect::<String>())),
            Some(other) => return problem(join(ptr, "type"), format!("`type` must be a string{}, found {}", if self.version <= Version::V30 { "" } else { " or an array of strings" }, super::json_kind(other))),
        }
        for key in ["format", "pattern", "title", "description", "$id", "$anchor", "$schema", "contentEncoding", "contentMediaType"] {
            member(m, ptr, key, "a string", is_string)?;
        }
        for key in ["nullable", "readOnly", "writeOnly", "deprecated", "uniqueItems"] {
            member(m, ptr, key, "a boolean", is_bool)?;
        }
        for key in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] {
            member(m, ptr, key, "a non-negative integer", is_count)?;
        }
        for key in ["minimum", "maximum", "multipleOf"] {
            member(m, ptr, key, "a number", Value::is_number)?;
        }
        let bound = if self.version <= Version::V30 { "a boolean" } else { "a number" };
        for key in ["exclusiveMinimum", "exclusiveMaximum"] {
            member(m, ptr, key, bound, |v| v.is_number() || v.is_boolean())?;
        }
        member(m, ptr, "enum", "an array", is_array)?;
        if self.version == Version::V20 {
            member(m, ptr, "discriminator", "a string (the name of a property)", is_string)?;
            member(m, ptr, "x-nullable", "a boolean", is_bool)?;
        }
        if let Some(req) = m.get("required") {
            let at = join(ptr, "required");
            let list = req.as_array().ok_or_else(|| Problem { pointer: at.clone(), message: format!("`required` must be an array of names, found {}", super::json_kind(req)) })?;
            if let Some(i) = list.iter().position(|n| !n.is_string()) {
                return problem(format!("{at}/{i}"), "each name in `required` must be a string");
            }
        }
        if let Some(d) = m.get("discriminator").filter(|_| self.version >= Version::V30) {
            let at = join(ptr, "discriminator");
            let d = object(d, &at, "`discriminator`")?;
            if !d.get("propertyName").is_some_and(Value::is_string) {
                return problem(at, "a discriminator needs a string `propertyName`");
            }
            member(d, &at, "mapping", "an object", is_object)?;
        }
        // `definitions` is draft-07's `$defs`, which 2020-12 keeps only for compatibility and
        // whose entries some documents fill with other things: read where referenced, not checked.
        for key in ["properties", "$defs", "patternProperties", "dependentSchemas"] {
            if let Some(v) = m.get(key) {
                let at = join(ptr, key);
                for (k, s) in object(v, &at, &format!("`{key}`"))? {
                    self.schema(s, &join(&at, k))?;
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(v) = m.get(key) {
                let at = join(ptr, key);
                let list = v.as_array().ok_or_else(|| Problem { pointer: at.clone(), message: format!("`{key}` must be an array of schemas, found {}", super::json_kind(v)) })?;
                if list.is_empty() && key != "prefixItems" {
                    return problem(at, format!("`{key}` must name at least one schema"));
                }
                for (i, s) in list.iter().enumerate() {
                    self.schema(s, &format!("{at}/{i}"))?;
                }
            }
        }
        for key in ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties"] {
            match m.get(key) {
                Some(Value::Bool(_)) if key != "items" || self.version >= Version::V31 => {}
                Some(s) => self.schema(s, &join(ptr, key))?,
                None => {}
            }
        }
        Ok(())
    }
}
