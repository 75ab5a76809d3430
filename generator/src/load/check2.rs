//! Our structural checks of a Swagger 2.0 document, as written (before it is converted to the
//! 3.0 shape): what the conversion and later stages rely on each member being. Schemas are
//! checked by [`Checker::schema`] with 2.0's rules. The list is in ARCHITECTURE.md ("Version
//! dispatch").

use serde_json::{Map, Value};

use super::check::{is_array, is_bool, is_object, is_string, member, object, problem, Checked, Checker, Problem};
use super::version::Version;
use crate::locate::join;

/// The longest `host`: a DNS name is at most 253 bytes; with `:` and a port, 259 (an IPv6
/// address in brackets is shorter). Every operation with `schemes` of its own copies it.
const MAX_HOST_BYTES: usize = 259;

/// The methods a 2.0 path item may hold.
pub(super) const METHODS_2: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// The parameter locations of 2.0.
const LOCATIONS: [&str; 5] = ["query", "header", "path", "formData", "body"];

/// The types a parameter that is not `in: body` (or a header, or `items`) may have.
const PARAMETER_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "file"];

/// The `collectionFormat` values of 2.0.
const COLLECTION_FORMATS: [&str; 5] = ["csv", "ssv", "tsv", "pipes", "multi"];

/// The `#/parameters/NAME` a parameter `$ref` names, as a pointer into the document.
pub(super) fn parameter_target(reference: &str) -> Option<String> {
    let ptr = crate::spec::refs::ref_to_pointer(reference)?;
    let rest = ptr.strip_prefix("/parameters/")?;
    (!rest.contains('/')).then_some(ptr)
}

fn strings(m: &Map<String, Value>, ptr: &str, key: &str) -> Checked {
    let Some(v) = m.get(key) else { return Ok(()) };
    let at = join(ptr, key);
    let list = v.as_array().ok_or_else(|| Problem { pointer: at.clone(), message: format!("`{key}` must be an array of strings, found {}", super::json_kind(v)) })?;
    match list.iter().position(|s| !s.is_string()) {
        Some(i) => problem(format!("{at}/{i}"), format!("each item of `{key}` must be a string")),
        None => Ok(()),
    }
}

/// The checks of a 2.0 document.
pub struct Swagger2<'a> {
    root: &'a Map<String, Value>,
    schemas: Checker,
}

/// Checks a whole 2.0 document.
pub fn document(raw: &Value) -> Checked {
    let root = object(raw, "/", "the document")?;
    Swagger2 { root, schemas: Checker::new(Version::V20) }.check()
}

impl Swagger2<'_> {
    fn check(&self) -> Checked {
        let root = self.root;
        super::check::info(root)?;
        if let Some(host) = root.get("host") {
            let Some(h) = host.as_str() else { return problem("/host".into(), format!("`host` must be a string, found {}", super::json_kind(host))) };
            if h.is_empty() || h.contains(['/', '?', '#']) || h.chars().any(char::is_whitespace) {
                return problem("/host".into(), "`host` must be a host name or address, with an optional port, and no scheme, path or spaces (for example `api.example.com:8443`)");
            }
            if h.len() > MAX_HOST_BYTES {
                return problem("/host".into(), format!("`host` is {} bytes long; a host name is at most 253 bytes, and with a port at most {MAX_HOST_BYTES}", h.len()));
            }
        }
        if let Some(base) = root.get("basePath") {
            if !base.as_str().is_some_and(|b| b.starts_with('/')) {
                return problem("/basePath".into(), "`basePath` must be a string that begins with `/`");
            }
        }
        self.schemes(root, "")?;
        for key in ["consumes", "produces"] {
            strings(root, "", key)?;
        }
        member(root, "", "security", "an array", is_array)?;
        member(root, "", "tags", "an array", is_array)?;
        let Some(paths) = root.get("paths") else { return problem("/".into(), "the `paths` member is missing") };
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
        if let Some(defs) = root.get("definitions") {
            for (k, s) in object(defs, "/definitions", "`definitions`")? {
                self.schemas.schema(s, &join("/definitions", k))?;
            }
        }
        if let Some(params) = root.get("parameters") {
            for (k, p) in object(params, "/parameters", "`parameters`")? {
                let at = join("/parameters", k);
                if object(p, &at, "a parameter")?.contains_key("$ref") {
                    return problem(join(&at, "$ref"), "a parameter under `parameters` is a definition, not a reference");
                }
                self.parameter(p, &at)?;
            }
        }
        if let Some(responses) = root.get("responses") {
            for (k, r) in object(responses, "/responses", "`responses`")? {
                self.response(r, &join("/responses", k))?;
            }
        }
        if let Some(defs) = root.get("securityDefinitions") {
            for (k, s) in object(defs, "/securityDefinitions", "`securityDefinitions`")? {
                self.security_scheme(s, &join("/securityDefinitions", k))?;
            }
        }
        Ok(())
    }

    fn schemes(&self, m: &Map<String, Value>, ptr: &str) -> Checked {
        strings(m, ptr, "schemes")?;
        let list = m.get("schemes").and_then(Value::as_array).into_iter().flatten();
        for (i, s) in list.enumerate() {
            if !s.as_str().is_some_and(|s| ["http", "https", "ws", "wss"].contains(&s)) {
                return problem(format!("{}/{i}", join(ptr, "schemes")), "a scheme must be one of http, https, ws, wss");
            }
        }
        Ok(())
    }

    fn path_item(&self, item: &Value, ptr: &str) -> Checked {
        let item = object(item, ptr, "a path item")?;
        member(item, ptr, "$ref", "a string", is_string)?;
        let shared = self.parameters(item, ptr)?;
        for method in METHODS_2 {
            if let Some(op) = item.get(method) {
                self.operation(op, &join(ptr, method), &shared)?;
            }
        }
        Ok(())
    }

    /// The parameters of a path item or operation: each checked, answered as (name, `in`,
    /// pointer), references followed.
    fn parameters(&self, m: &Map<String, Value>, ptr: &str) -> Result<Vec<(String, String, String)>, Problem> {
        let Some(list) = m.get("parameters") else { return Ok(Vec::new()) };
        let at = join(ptr, "parameters");
        let list = list.as_array().ok_or_else(|| Problem { pointer: at.clone(), message: format!("`parameters` must be an array, found {}", super::json_kind(list)) })?;
        let mut out = Vec::new();
        // (name, `in`) of those seen so far, so that a duplicate is found in linear time.
        let mut seen = std::collections::HashSet::new();
        for (i, p) in list.iter().enumerate() {
            let p_at = format!("{at}/{i}");
            let pm = object(p, &p_at, "a parameter")?;
            let (target, target_at) = match pm.get("$ref") {
                None => {
                    self.parameter(p, &p_at)?;
                    (pm, p_at.clone())
                }
                Some(r) => {
                    let ref_at = join(&p_at, "$ref");
                    let Some(ptr) = r.as_str().and_then(parameter_target) else {
                        return Err(Problem { pointer: ref_at, message: "a parameter `$ref` must name an entry of the document's `parameters`, as `#/parameters/NAME`".into() });
                    };
                    let name = crate::locate::unescape_token(&ptr["/parameters/".len()..]);
                    let Some(t) = self.root.get("parameters").and_then(|ps| ps.get(&name)).and_then(Value::as_object) else {
                        return Err(Problem { pointer: ref_at, message: "this `$ref` names no entry of the document's `parameters`".into() });
                    };
                    (t, ptr)
                }
            };
            let name = target.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let location = target.get("in").and_then(Value::as_str).unwrap_or_default().to_string();
            if !seen.insert((name.clone(), location.clone())) {
                return Err(Problem { pointer: p_at, message: format!("a second parameter named `{}` in {location}", name.chars().take(64).collect::<String>()) });
            }
            out.push((name, location, target_at));
        }
        Ok(out)
    }

    fn operation(&self, op: &Value, ptr: &str, shared: &[(String, String, String)]) -> Checked {
        let op = object(op, ptr, "an operation")?;
        member(op, ptr, "operationId", "a string", is_string)?;
        member(op, ptr, "tags", "an array", is_array)?;
        member(op, ptr, "deprecated", "a boolean", is_bool)?;
        member(op, ptr, "security", "an array", is_array)?;
        for key in ["consumes", "produces"] {
            strings(op, ptr, key)?;
        }
        self.schemes(op, ptr)?;
        let own = self.parameters(op, ptr)?;
        // The operation's own parameters override the path item's with the same name and place
        // (looked up in a set: both lists can be long).
        let own_keys: std::collections::HashSet<(&str, &str)> = own.iter().map(|(n, l, _)| (n.as_str(), l.as_str())).collect();
        let all: Vec<&(String, String, String)> = own.iter().chain(shared.iter().filter(|(n, l, _)| !own_keys.contains(&(n.as_str(), l.as_str())))).collect();
        let bodies: Vec<_> = all.iter().filter(|(_, l, _)| l == "body").collect();
        if bodies.len() > 1 {
            return problem(bodies[1].2.clone(), "an operation has at most one `in: body` parameter");
        }
        if let (false, Some(form)) = (bodies.is_empty(), all.iter().find(|(_, l, _)| l == "formData")) {
            return problem(form.2.clone(), "an operation cannot have both an `in: body` parameter and `in: formData` parameters");
        }
        let Some(r) = op.get("responses") else { return problem(ptr.into(), "an operation needs `responses`") };
        let at = join(ptr, "responses");
        let responses = object(r, &at, "`responses`")?;
        if responses.keys().all(|k| k.starts_with("x-")) {
            return problem(at, "`responses` must hold at least one response");
        }
        for (status, resp) in responses.iter().filter(|(k, _)| !k.starts_with("x-")) {
            self.response(resp, &join(&at, status))?;
        }
        Ok(())
    }

    fn parameter(&self, p: &Value, ptr: &str) -> Checked {
        let p = object(p, ptr, "a parameter")?;
        let Some(name) = p.get("name") else { return problem(ptr.into(), "a parameter needs a `name`") };
        if !name.is_string() {
            return problem(join(ptr, "name"), format!("`name` must be a string, found {}", super::json_kind(name)));
        }
        let location = match p.get("in") {
            None => return problem(ptr.into(), "a parameter needs `in`"),
            Some(Value::String(s)) if LOCATIONS.contains(&s.as_str()) => s.as_str(),
            Some(other) => return problem(join(ptr, "in"), format!("`in` must be one of {}, found {}", LOCATIONS.join(", "), shown(other))),
        };
        member(p, ptr, "required", "a boolean", is_bool)?;
        member(p, ptr, "description", "a string", is_string)?;
        if location == "path" && p.get("required") != Some(&Value::Bool(true)) {
            return problem(ptr.into(), "a path parameter must say `required: true`");
        }
        if location == "body" {
            let Some(s) = p.get("schema") else { return problem(ptr.into(), "an `in: body` parameter needs a `schema`") };
            return self.schemas.schema(s, &join(ptr, "schema"));
        }
        self.simple(p, ptr, location == "formData", true)
    }

    /// A parameter that is not `in: body`, a header, or `items`: `type` and its keywords.
    fn simple(&self, m: &Map<String, Value>, ptr: &str, file_allowed: bool, multi_allowed: bool) -> Checked {
        let ty = match m.get("type") {
            None => return problem(ptr.into(), "this needs a `type`"),
            Some(Value::String(t)) if PARAMETER_TYPES.contains(&t.as_str()) && (t != "file" || file_allowed) => t.as_str(),
            Some(other) => {
                let allowed: Vec<&str> = PARAMETER_TYPES.iter().copied().filter(|t| *t != "file" || file_allowed).collect();
                return problem(join(ptr, "type"), format!("`type` must be one of {}, found {}", allowed.join(", "), shown(other)));
            }
        };
        if let Some(items) = m.get("items") {
            let at = join(ptr, "items");
            self.simple(object(items, &at, "`items`")?, &at, false, false)?;
        } else if ty == "array" {
            return problem(ptr.into(), "an array needs `items`");
        }
        match m.get("collectionFormat") {
            None => {}
            Some(Value::String(f)) if COLLECTION_FORMATS.contains(&f.as_str()) && (f != "multi" || multi_allowed) => {}
            Some(other) => {
                let allowed: Vec<&str> = COLLECTION_FORMATS.iter().copied().filter(|f| *f != "multi" || multi_allowed).collect();
                return problem(join(ptr, "collectionFormat"), format!("`collectionFormat` must be one of {}, found {}", allowed.join(", "), shown(other)));
            }
        }
        // The schema keywords a parameter shares with a schema are checked as one.
        let mut schema = Map::new();
        for key in ["format", "pattern", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum", "x-nullable"] {
            if let Some(v) = m.get(key) {
                schema.insert(key.into(), v.clone());
            }
        }
        self.schemas.schema(&Value::Object(schema), ptr)
    }

    fn response(&self, r: &Value, ptr: &str) -> Checked {
        let r = object(r, ptr, "a response")?;
        if let Some(reference) = r.get("$ref") {
            return member(r, ptr, "$ref", "a string", is_string).and_then(|_| match reference.as_str().and_then(crate::spec::refs::ref_to_pointer) {
                Some(p) if p.starts_with("/responses/") => Ok(()),
                _ => problem(join(ptr, "$ref"), "a response `$ref` must name an entry of the document's `responses`, as `#/responses/NAME`"),
            });
        }
        if !r.get("description").is_some_and(Value::is_string) {
            return problem(ptr.into(), "a response needs a string `description`");
        }
        if let Some(s) = r.get("schema") {
            let at = join(ptr, "schema");
            if s.get("type").and_then(Value::as_str) == Some("file") {
                object(s, &at, "a schema")?;
            } else {
                self.schemas.schema(s, &at)?;
            }
        }
        member(r, ptr, "examples", "an object", is_object)?;
        if let Some(h) = r.get("headers") {
            let at = join(ptr, "headers");
            for (k, v) in object(h, &at, "`headers`")? {
                let h_at = join(&at, k);
                self.simple(object(v, &h_at, "a header")?, &h_at, false, false)?;
            }
        }
        Ok(())
    }

    fn security_scheme(&self, s: &Value, ptr: &str) -> Checked {
        let s = object(s, ptr, "a security scheme")?;
        let need = |key: &str| -> Checked {
            if s.get(key).is_some_and(Value::is_string) {
                Ok(())
            } else {
                problem(ptr.into(), format!("this security scheme needs a string `{key}`"))
            }
        };
        match s.get("type").and_then(Value::as_str) {
            Some("basic") => Ok(()),
            Some("apiKey") => {
                need("name")?;
                match s.get("in").and_then(Value::as_str) {
                    Some("query" | "header") => Ok(()),
                    _ => problem(ptr.into(), "an `apiKey` scheme needs `in: query` or `in: header`"),
                }
            }
            Some("oauth2") => {
                let urls: &[&str] = match s.get("flow").and_then(Value::as_str) {
                    Some("implicit") => &["authorizationUrl"],
                    Some("password" | "application") => &["tokenUrl"],
                    Some("accessCode") => &["authorizationUrl", "tokenUrl"],
                    _ => return problem(ptr.into(), "an `oauth2` scheme needs a `flow`: implicit, password, application or accessCode"),
                };
                for key in urls {
                    need(key)?;
                }
                match s.get("scopes") {
                    Some(Value::Object(m)) => match m.iter().find(|(k, v)| !k.starts_with("x-") && !v.is_string()) {
                        Some((k, _)) => problem(join(&join(ptr, "scopes"), k), "a scope's description must be a string"),
                        None => Ok(()),
                    },
                    _ => problem(ptr.into(), "an `oauth2` scheme needs `scopes` (an object)"),
                }
            }
            _ => problem(join(ptr, "type"), "a security scheme's `type` must be basic, apiKey or oauth2"),
        }
    }
}

/// A value quoted in a message, cut short.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{}`", s.chars().take(64).collect::<String>()),
        other => super::json_kind(other).to_string(),
    }
}
