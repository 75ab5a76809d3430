//! Swagger 2.0 → the 3.0-shaped raw tree every later stage reads.
//!
//! The document is rebuilt member by member. A node that keeps its place keeps its pointer; a
//! node that moves (`definitions` → `components/schemas`) or is made from another (a body
//! parameter → `requestBody`, a parameter's `type` → its `schema`) is recorded in [`Origins`]
//! with the pointer of what it came from, so diagnostics and errors name the document as written.
//! What 3.0's shape cannot say is left out with a coded diagnostic. The rules are in README's
//! "OpenAPI versions".

use serde_json::{json, Map, Value};

use super::check::Problem;
use super::check2::{parameter_target, METHODS_2};
use super::normalize::{Normalized, Origins};
use crate::diag::{Diagnostic, Severity};
use crate::locate::join;

/// The keywords a parameter, header or `items` shares with a schema.
const SCHEMA_KEYS: [&str; 16] = [
    "type",
    "format",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "example",
];

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// `#/definitions/…`, `#/parameters/…`, `#/responses/…` → where 3.0 keeps them.
fn rewrite_ref(reference: &str) -> String {
    for (from, to) in [("#/definitions/", "#/components/schemas/"), ("#/parameters/", "#/components/parameters/"), ("#/responses/", "#/components/responses/")] {
        if let Some(rest) = reference.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    reference.to_string()
}

fn media_list(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

/// What one copied node weighs in the conversion's budget besides its key and its text: about
/// what it takes in memory (a `Value` and its place in its parent).
const NODE_BYTES: usize = 64;

/// What a copy of `v` weighs in the conversion's budget: [`NODE_BYTES`] for each node, plus
/// each key's and string's length (saturating: only the comparison with the budget matters).
fn weight(v: &Value) -> usize {
    let below = match v {
        Value::Array(a) => a.iter().fold(0, |sum: usize, v| sum.saturating_add(weight(v))),
        Value::Object(m) => m.iter().fold(0, |sum: usize, (k, v)| sum.saturating_add(k.len()).saturating_add(weight(v))),
        Value::String(s) => s.len(),
        _ => 0,
    };
    NODE_BYTES.saturating_add(below)
}

/// A `consumes` or `produces` list and where it is written, so that a refusal can name a media
/// type whose name is what made a conversion too large.
#[derive(Clone, Default)]
struct Media {
    types: Vec<String>,
    /// The list's pointer in the document as written.
    at: String,
}

impl Media {
    fn read(v: Option<&Value>, at: String) -> Option<Media> {
        media_list(v).map(|types| Media { types, at })
    }
}

/// A parameter of a path item or operation, references followed.
#[derive(Clone)]
struct Param {
    name: String,
    location: String,
    /// The parameter as written, or the one its `$ref` names.
    def: Map<String, Value>,
    /// Where `def` is in the document as written.
    def_at: String,
    /// The list entry as written (a `$ref` or the parameter itself).
    entry: Value,
    /// Where `entry` is.
    entry_at: String,
}

impl Param {
    fn in_body(&self) -> bool {
        self.location == "body" || self.location == "formData"
    }
}

/// Converts a checked 2.0 document in place.
///
/// What it copies (a shared body parameter into each operation that uses it, a schema into
/// each media type, with the media type's name and the pointers it records for messages) is
/// charged to a budget of [`crate::limits::CONVERSION_BYTES_PER_BYTE`] times `input_bytes`,
/// the size of the input the document was read from, so that the converted tree stays linear
/// in it; past the budget the document is refused.
pub fn convert(raw: &mut Value, input_bytes: usize) -> Result<Normalized, Problem> {
    let Value::Object(src) = std::mem::take(raw) else { return Err(Problem { pointer: "/".into(), message: "the document must be an object".into() }) };
    let budget = crate::limits::MIN_CONVERSION_BYTES.max(crate::limits::CONVERSION_BYTES_PER_BYTE.saturating_mul(input_bytes));
    let mut c = Converter {
        origins: Origins::default(),
        notes: Vec::new(),
        budget,
        budget_total: budget,
        shared: Map::new(),
        consumes: Media::read(src.get("consumes"), "/consumes".into()).unwrap_or_default(),
        produces: Media::read(src.get("produces"), "/produces".into()).unwrap_or_default(),
        global_schemes: None,
        host: src.get("host").and_then(Value::as_str).map(str::to_string),
        base: src.get("basePath").and_then(Value::as_str).map(str::to_string),
    };
    *raw = Value::Object(c.document(src)?);
    Ok(Normalized { origins: c.origins, notes: c.notes })
}

struct Converter {
    origins: Origins,
    notes: Vec<Diagnostic>,
    /// Bytes the conversion may still copy (see [`convert`]).
    budget: usize,
    /// The budget the conversion started with, for messages.
    budget_total: usize,
    /// The document's `parameters`, which operations' `$ref`s name.
    shared: Map<String, Value>,
    consumes: Media,
    produces: Media,
    /// The URL schemes of the document's servers, to tell an operation's own apart.
    global_schemes: Option<Vec<String>>,
    /// The document's `host` and `basePath`, for an operation's own `schemes`.
    host: Option<String>,
    base: Option<String>,
}

impl Converter {
    fn note(&mut self, code: &'static str, ptr: &str, message: String) {
        let pointer = self.origins.original(ptr);
        self.notes.push(Diagnostic { severity: Severity::Warning, code, pointer, line: None, message });
    }

    /// A copy of `v` for a second place in the tree, within the budget.
    fn copy(&mut self, v: &Value, at: &str) -> Result<Value, Problem> {
        self.spend(weight(v), |c| c.origins.original(at))?;
        Ok(v.clone())
    }

    /// Charges `bytes` to the budget; past it, the document is refused at `place`.
    fn spend(&mut self, bytes: usize, place: impl FnOnce(&Self) -> String) -> Result<(), Problem> {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(Problem {
                pointer: place(self),
                message: format!(
                    "converting this document to OpenAPI 3 would copy more than {} MiB ({} bytes for each byte of the input, at least {} MiB): a shared `in: body` parameter is copied into each operation that uses it, a response's or body's schema into each of its media types, with the media type's name and the pointers that say where it came from, and `host` and `basePath` into each operation with `schemes` of its own; use fewer or shorter media types in `consumes`/`produces`, fewer operations sharing a large body, or a shorter `basePath` (see \"Limits\" in the README)",
                    self.budget_total >> 20,
                    crate::limits::CONVERSION_BYTES_PER_BYTE,
                    crate::limits::MIN_CONVERSION_BYTES >> 20
                ),
            }),
        }
    }

    /// Charges `bytes` for what media type `mt` adds at `mt_at` in the converted tree (its key,
    /// the pointers recorded for it); past the budget, the place named is where `mt` is written
    /// in `media` when its name is most of `mt_at`, else `at`'s.
    fn spend_media(&mut self, mt: &str, media: &Media, mt_at: &str, bytes: usize, at: &str) -> Result<(), Problem> {
        self.spend(bytes, |c| match media.types.iter().position(|t| t == mt) {
            Some(i) if 2 * mt.len() >= mt_at.len() => format!("{}/{i}", media.at),
            _ => c.origins.original(at),
        })
    }

    fn document(&mut self, mut src: Map<String, Value>) -> Result<Map<String, Value>, Problem> {
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        self.origins.record("/openapi".into(), "/swagger".into());
        // Where references into these sections were written to point, whether or not they exist.
        for (to, from) in [("/components/schemas", "/definitions"), ("/components/parameters", "/parameters"), ("/components/responses", "/responses"), ("/components/securitySchemes", "/securityDefinitions")] {
            self.origins.record(to.into(), from.into());
        }
        if let Some(Value::Object(p)) = src.remove("parameters") {
            self.shared = p;
        }
        let (host, base) = (self.host.clone(), self.base.clone());
        let schemes = src.get("schemes").cloned();
        let mut components = Map::new();
        for (key, value) in src {
            match key.as_str() {
                "swagger" | "consumes" | "produces" | "host" | "schemes" => {}
                "basePath" => {}
                "info" => {
                    out.insert(key, value);
                    if let Some(servers) = self.servers(host.as_deref(), base.as_deref(), schemes.as_ref(), "", "/servers")? {
                        out.insert("servers".into(), servers);
                    }
                }
                "paths" => {
                    let Value::Object(paths) = value else { continue };
                    out.insert(key, Value::Object(self.paths(paths)?));
                }
                "definitions" => {
                    let Value::Object(mut defs) = value else { continue };
                    for (k, s) in defs.iter_mut() {
                        self.schema(s, &join("/components/schemas", k));
                    }
                    components.insert("schemas".into(), Value::Object(defs));
                }
                "responses" => {
                    let Value::Object(rs) = value else { continue };
                    let produces = self.produces.clone();
                    let mut conv = Map::new();
                    for (k, r) in rs {
                        let at = join("/components/responses", &k);
                        conv.insert(k, self.response(r, &at, &produces)?);
                    }
                    components.insert("responses".into(), Value::Object(conv));
                }
                "securityDefinitions" => {
                    let Value::Object(defs) = value else { continue };
                    let conv = defs.into_iter().map(|(k, s)| {
                        let at = join("/components/securitySchemes", &k);
                        (k, self.security_scheme(s, &at))
                    });
                    components.insert("securitySchemes".into(), Value::Object(conv.collect()));
                }
                _ => {
                    out.insert(key, value);
                }
            }
        }
        let shared = std::mem::take(&mut self.shared);
        let mut params = Map::new();
        for (k, p) in &shared {
            let Value::Object(p) = p else { continue };
            if matches!(p.get("in").and_then(Value::as_str), Some("body" | "formData")) {
                continue;
            }
            let at = join("/components/parameters", k);
            self.origins.record(at.clone(), join("/parameters", k));
            params.insert(k.clone(), self.parameter(p.clone(), &at));
        }
        self.shared = shared;
        if !params.is_empty() {
            components.insert("parameters".into(), Value::Object(params));
        }
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        Ok(out)
    }

    /// `host`, `basePath` and `schemes` → servers: one per scheme, `https` first; a relative
    /// server from `basePath` alone; none when neither is written.
    /// Each server made is charged to the budget (its URL and the pointers recorded for it): an
    /// operation with schemes of its own gets servers of its own, and 10,000 such operations
    /// under a 64 KB `host` made 640 MB of URLs.
    fn servers(&mut self, host: Option<&str>, base: Option<&str>, schemes: Option<&Value>, schemes_at: &str, at: &str) -> Result<Option<Value>, Problem> {
        let origin = match (host, base) {
            (None, None) => return Ok(None),
            _ if !schemes_at.is_empty() => join(schemes_at, "schemes"),
            (Some(_), _) => "/host".to_string(),
            (None, Some(_)) => "/basePath".to_string(),
        };
        let base = base.unwrap_or("");
        // Where the document as written asks for these servers: an operation's `schemes`.
        let place = if schemes_at.is_empty() { at.to_string() } else { join(schemes_at, "schemes") };
        let Some(host) = host else {
            self.spend(NODE_BYTES + base.len() + 2 * (at.len() + origin.len()), |_| place.clone())?;
            self.origins.record(format!("{at}/0"), origin.clone());
            self.origins.record(format!("{at}/0/url"), origin);
            return Ok(Some(json!([{ "url": base }])));
        };
        let written: Vec<String> = schemes.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default();
        let mut usable: Vec<&str> = ["https", "http"].into_iter().filter(|s| written.is_empty() || written.iter().any(|w| w == s)).collect();
        for (i, other) in written.iter().enumerate().filter(|(_, w)| !["https", "http"].contains(&w.as_str())) {
            self.note("swagger-scheme-ignored", &format!("{}/{i}", join(schemes_at, "schemes")), format!("the `{}` scheme is not HTTP; no server is made for it", other.chars().take(16).collect::<String>()));
        }
        if written.is_empty() {
            usable.truncate(1);
        }
        if at == "/servers" {
            self.global_schemes = Some(usable.iter().map(|s| s.to_string()).collect());
        }
        let mut list = Vec::new();
        for (i, scheme) in usable.iter().enumerate() {
            let mut url = format!("{scheme}://{host}{base}");
            if url.ends_with('/') {
                url.pop();
            }
            self.spend(NODE_BYTES + url.len() + 2 * (at.len() + origin.len()), |_| place.clone())?;
            self.origins.record(format!("{at}/{i}"), origin.clone());
            self.origins.record(format!("{at}/{i}/url"), origin.clone());
            list.push(json!({ "url": url }));
        }
        Ok((!list.is_empty()).then_some(Value::Array(list)))
    }

    fn paths(&mut self, paths: Map<String, Value>) -> Result<Map<String, Value>, Problem> {
        let mut out = Map::new();
        for (path, item) in paths {
            let item = match item {
                Value::Object(item) if !path.starts_with("x-") => item,
                other => {
                    out.insert(path, other);
                    continue;
                }
            };
            let at = join("/paths", &path);
            let params = self.params(item.get("parameters"), &at);
            let inherited: Vec<Param> = params.iter().filter(|p| p.in_body()).cloned().collect();
            let mut conv = Map::new();
            for (key, value) in item {
                if key == "parameters" {
                    let list = self.non_body(&params, &join(&at, "parameters"));
                    if !list.is_empty() {
                        conv.insert(key, Value::Array(list));
                    }
                } else if METHODS_2.contains(&key.as_str()) {
                    let Value::Object(op) = value else { continue };
                    let op_at = join(&at, &key);
                    conv.insert(key, Value::Object(self.operation(op, &op_at, &inherited)?));
                } else {
                    conv.insert(key, value);
                }
            }
            out.insert(path, Value::Object(conv));
        }
        Ok(out)
    }

    /// The parameters of a list, with `$ref`s to the document's `parameters` followed.
    fn params(&self, list: Option<&Value>, at: &str) -> Vec<Param> {
        let list_at = join(at, "parameters");
        let mut out = Vec::new();
        for (i, entry) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
            let entry_at = format!("{list_at}/{i}");
            let (def, def_at) = match entry.get("$ref").and_then(Value::as_str).and_then(parameter_target) {
                Some(ptr) => {
                    let name = crate::locate::unescape_token(&ptr["/parameters/".len()..]);
                    match self.shared.get(&name).and_then(Value::as_object) {
                        Some(d) => (d.clone(), ptr),
                        None => continue,
                    }
                }
                None => match entry.as_object() {
                    Some(d) => (d.clone(), entry_at.clone()),
                    None => continue,
                },
            };
            let text = |k: &str| def.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            out.push(Param { name: text("name"), location: text("in"), def, def_at, entry: entry.clone(), entry_at });
        }
        out
    }

    /// The parameters of a list that stay parameters in 3.0, at their new places.
    fn non_body(&mut self, params: &[Param], list_at: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for p in params.iter().filter(|p| !p.in_body()) {
            let at = format!("{list_at}/{}", out.len());
            self.origins.record(at.clone(), p.entry_at.clone());
            if let Some(r) = p.entry.get("$ref").and_then(Value::as_str) {
                out.push(json!({ "$ref": rewrite_ref(r) }));
            } else {
                out.push(self.parameter(p.def.clone(), &at));
            }
        }
        out
    }

    fn operation(&mut self, op: Map<String, Value>, at: &str, inherited: &[Param]) -> Result<Map<String, Value>, Problem> {
        let consumes = Media::read(op.get("consumes"), join(&self.origins.original(at), "consumes")).unwrap_or_else(|| self.consumes.clone());
        let produces = Media::read(op.get("produces"), join(&self.origins.original(at), "produces")).unwrap_or_else(|| self.produces.clone());
        let own = self.params(op.get("parameters"), at);
        let mut body: Vec<Param> = own.iter().filter(|p| p.in_body()).cloned().collect();
        // The path item's body parameters, unless overridden (looked up in a set: both lists can be long).
        let own_keys: std::collections::HashSet<(&str, &str)> = own.iter().map(|o| (o.name.as_str(), o.location.as_str())).collect();
        body.extend(inherited.iter().filter(|p| !own_keys.contains(&(p.name.as_str(), p.location.as_str()))).cloned());
        let mut out = Map::new();
        let mut body_written = false;
        for (key, value) in op {
            match key.as_str() {
                "consumes" | "produces" => {}
                "schemes" => {
                    let own_schemes: Vec<String> = media_list(Some(&value)).unwrap_or_default();
                    let global = self.global_schemes.clone().unwrap_or_else(|| vec!["https".into()]);
                    let same = own_schemes.iter().filter(|s| ["http", "https"].contains(&s.as_str())).all(|s| global.contains(s)) && global.iter().all(|g| own_schemes.contains(g));
                    // Without a `host` the servers are relative, whatever the scheme.
                    if !same && self.host.is_some() {
                        let (host, base) = (self.host.clone(), self.base.clone());
                        if let Some(servers) = self.servers(host.as_deref(), base.as_deref(), Some(&value), at, &join(at, "servers"))? {
                            out.insert("servers".into(), servers);
                        }
                    }
                }
                "parameters" => {
                    let list = self.non_body(&own, &join(at, "parameters"));
                    if !list.is_empty() {
                        out.insert(key, Value::Array(list));
                    }
                    if !body.is_empty() {
                        out.insert("requestBody".into(), self.request_body(&body, &consumes, &join(at, "requestBody"))?);
                        body_written = true;
                    }
                }
                "responses" => {
                    let Value::Object(rs) = value else { continue };
                    let r_at = join(at, "responses");
                    let mut conv = Map::new();
                    for (status, r) in rs {
                        let s_at = join(&r_at, &status);
                        if status.starts_with("x-") {
                            conv.insert(status, r);
                            continue;
                        }
                        conv.insert(status, self.response(r, &s_at, &produces)?);
                    }
                    out.insert(key, Value::Object(conv));
                }
                _ => {
                    out.insert(key, value);
                }
            }
        }
        if !body.is_empty() && !body_written {
            out.insert("requestBody".into(), self.request_body(&body, &consumes, &join(at, "requestBody"))?);
        }
        Ok(out)
    }

    /// A parameter that stays one: `type` and its keywords → `schema`, `collectionFormat` →
    /// `style`/`explode`.
    fn parameter(&mut self, p: Map<String, Value>, at: &str) -> Value {
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default().to_string();
        let mut out = Map::new();
        for (k, v) in &p {
            if ["name", "in", "description", "required", "allowEmptyValue"].contains(&k.as_str()) || (k.starts_with("x-") && k != "x-nullable") {
                out.insert(k.clone(), v.clone());
            }
        }
        let schema_at = join(at, "schema");
        out.insert("schema".into(), self.simple_schema(&p, &schema_at, at));
        if p.get("type").and_then(Value::as_str) == Some("array") {
            let format = p.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
            match (location.as_str(), format) {
                ("query", "csv") => {
                    out.insert("style".into(), json!("form"));
                    out.insert("explode".into(), json!(false));
                }
                ("query", "multi") => {
                    out.insert("style".into(), json!("form"));
                    out.insert("explode".into(), json!(true));
                }
                ("query", "ssv") => {
                    out.insert("style".into(), json!("spaceDelimited"));
                    out.insert("explode".into(), json!(false));
                }
                ("query", "pipes") => {
                    out.insert("style".into(), json!("pipeDelimited"));
                    out.insert("explode".into(), json!(false));
                }
                // OpenAPI 3 has no tab-separated style; the converted tree keeps one of its own.
                ("query", "tsv") => {
                    out.insert("style".into(), json!(crate::spec::TAB_DELIMITED));
                    out.insert("explode".into(), json!(false));
                }
                ("path" | "header", "csv") => {}
                (_, other) => {
                    let other = other.to_string();
                    self.note("collection-format-ignored", &join(at, "collectionFormat"), format!("OpenAPI 3 has no style for `collectionFormat: {other}` in {location}; the parameter is described as comma-separated"));
                    if location == "query" {
                        out.insert("style".into(), json!("form"));
                        out.insert("explode".into(), json!(false));
                    }
                }
            }
            for key in ["style", "explode"] {
                if out.contains_key(key) {
                    self.origins.record(join(at, key), join(&self.origins.original(at), "collectionFormat"));
                }
            }
        }
        Value::Object(out)
    }

    /// The schema a parameter, header or `items` describes with its own keywords, at `at`,
    /// made from the node at `from` (in the converted tree).
    fn simple_schema(&mut self, m: &Map<String, Value>, at: &str, from: &str) -> Value {
        self.origins.record(at.into(), self.origins.original(from));
        let mut s = Map::new();
        for key in SCHEMA_KEYS {
            if let Some(v) = m.get(key) {
                s.insert(key.into(), v.clone());
            }
        }
        if s.get("type").and_then(Value::as_str) == Some("file") {
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("binary"));
        }
        if m.get("x-nullable") == Some(&Value::Bool(true)) {
            s.insert("nullable".into(), json!(true));
        }
        if let Some(Value::Object(items)) = m.get("items") {
            if items.get("collectionFormat").is_some_and(|f| f != "csv") {
                self.note("collection-format-ignored", &join(&join(from, "items"), "collectionFormat"), "OpenAPI 3 has no style for the items of an array inside an array; they are described as comma-separated".into());
            }
            let items = self.simple_schema(items, &join(at, "items"), &join(from, "items"));
            s.insert("items".into(), items);
        }
        Value::Object(s)
    }

    /// The body or form parameters of an operation → its `requestBody`.
    fn request_body(&mut self, params: &[Param], consumes: &Media, at: &str) -> Result<Value, Problem> {
        let mut rb = Map::new();
        let mut content = Map::new();
        let content_at = join(at, "content");
        if let Some(body) = params.iter().find(|p| p.location == "body") {
            self.origins.record(at.into(), body.def_at.clone());
            for key in ["description", "required"] {
                if let Some(v) = body.def.get(key) {
                    rb.insert(key.into(), v.clone());
                }
            }
            let types = if consumes.types.is_empty() { vec!["application/json".to_string()] } else { consumes.types.clone() };
            let schema = body.def.get("schema").cloned().unwrap_or_else(|| json!({}));
            for (i, mt) in types.iter().enumerate() {
                let mt_at = join(&content_at, mt);
                let schema_at = join(&mt_at, "schema");
                let from_schema = join(&body.def_at, "schema");
                self.spend_media(mt, consumes, &mt_at, mt.len() + mt_at.len() + body.def_at.len() + schema_at.len() + from_schema.len(), at)?;
                self.origins.record(mt_at.clone(), body.def_at.clone());
                self.origins.record(schema_at.clone(), from_schema);
                // A shared parameter is copied into every operation that uses it.
                let shared = body.def_at != body.entry_at;
                let mut s = if i == 0 && !shared { schema.clone() } else { self.copy(&schema, &schema_at)? };
                self.schema(&mut s, &schema_at);
                content.insert(mt.clone(), json!({ "schema": s }));
            }
        } else {
            let first = &params[0];
            self.origins.record(at.into(), first.def_at.clone());
            let has_file = params.iter().any(|p| p.def.get("type").and_then(Value::as_str) == Some("file"));
            let mut types: Vec<String> = consumes.types.iter().filter(|c| {
                let c = c.split(';').next().unwrap_or_default().trim();
                c.eq_ignore_ascii_case(FORM) || c.eq_ignore_ascii_case(MULTIPART)
            }).cloned().collect();
            if has_file && !types.iter().any(|t| t.starts_with(MULTIPART)) {
                types.push(MULTIPART.into());
            }
            if types.is_empty() {
                types.push(FORM.into());
            }
            if params.iter().any(|p| p.def.get("required") == Some(&Value::Bool(true))) {
                rb.insert("required".into(), json!(true));
            }
            for mt in &types {
                let mt_at = join(&content_at, mt);
                let schema_at = join(&mt_at, "schema");
                self.spend_media(mt, consumes, &mt_at, mt.len() + mt_at.len() + first.def_at.len(), at)?;
                self.origins.record(mt_at.clone(), first.def_at.clone());
                let mut props = Map::new();
                let mut required = Vec::new();
                let mut encoding = Map::new();
                for p in params {
                    let p_at = join(&join(&schema_at, "properties"), &p.name);
                    self.spend_media(mt, consumes, &p_at, p_at.len() + p.def_at.len(), &p_at)?;
                    self.origins.record(p_at.clone(), p.def_at.clone());
                    let mut s = self.simple_schema_at(&p.def, &p_at)?;
                    if let (Some(d), Value::Object(m)) = (p.def.get("description"), &mut s) {
                        m.insert("description".into(), d.clone());
                    }
                    props.insert(p.name.clone(), s);
                    if p.def.get("required") == Some(&Value::Bool(true)) {
                        required.push(Value::String(p.name.clone()));
                    }
                    if p.def.get("type").and_then(Value::as_str) == Some("array") && mt.starts_with(FORM) {
                        let explode = match p.def.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv") {
                            "multi" => true,
                            "csv" => false,
                            other => {
                                let other = other.to_string();
                                self.note("collection-format-ignored", &join(&p_at, "collectionFormat"), format!("OpenAPI 3 has no form encoding for `collectionFormat: {other}`; the field is described as comma-separated"));
                                false
                            }
                        };
                        let enc_at = join(&join(&mt_at, "encoding"), &p.name);
                        let from = join(&p.def_at, "collectionFormat");
                        self.spend_media(mt, consumes, &enc_at, enc_at.len() + from.len(), &p_at)?;
                        self.origins.record(enc_at, from);
                        encoding.insert(p.name.clone(), json!({ "style": "form", "explode": explode }));
                    }
                }
                let mut schema = json!({ "type": "object", "properties": props });
                if !required.is_empty() {
                    schema["required"] = Value::Array(required);
                }
                let mut media = json!({ "schema": schema });
                if !encoding.is_empty() {
                    media["encoding"] = Value::Object(encoding);
                }
                content.insert(mt.clone(), media);
            }
        }
        rb.insert("content".into(), Value::Object(content));
        Ok(Value::Object(rb))
    }

    /// [`Converter::simple_schema`] for a form parameter (whose origin is already recorded at
    /// `at`), charged to the budget.
    fn simple_schema_at(&mut self, def: &Map<String, Value>, at: &str) -> Result<Value, Problem> {
        let s = self.simple_schema(def, at, at);
        self.spend(weight(&s), |c| c.origins.original(at))?;
        Ok(s)
    }

    fn response(&mut self, r: Value, at: &str, produces: &Media) -> Result<Value, Problem> {
        let Value::Object(r) = r else { return Ok(r) };
        if let Some(reference) = r.get("$ref").and_then(Value::as_str) {
            if produces.types != self.produces.types {
                self.note("swagger-shared-response-media", &join(at, "$ref"), "a response from the document's `responses` is described with the document's `produces`, not this operation's".into());
            }
            return Ok(json!({ "$ref": rewrite_ref(reference) }));
        }
        let mut out = Map::new();
        let mut examples = Map::new();
        let mut schema = None;
        for (k, v) in r {
            match k.as_str() {
                "schema" => schema = Some(v),
                "examples" => {
                    if let Value::Object(m) = v {
                        examples = m;
                    }
                }
                "headers" => {
                    let Value::Object(hs) = v else { continue };
                    let h_at = join(at, "headers");
                    let mut conv = Map::new();
                    for (name, h) in hs {
                        let Value::Object(h) = h else { continue };
                        let one = join(&h_at, &name);
                        let mut header = Map::new();
                        if let Some(d) = h.get("description") {
                            header.insert("description".into(), d.clone());
                        }
                        if h.get("collectionFormat").is_some_and(|f| f != "csv") {
                            self.note("collection-format-ignored", &join(&one, "collectionFormat"), "a header's array is comma-separated in OpenAPI 3; this `collectionFormat` is not kept".into());
                        }
                        header.insert("schema".into(), self.simple_schema(&h, &join(&one, "schema"), &one));
                        conv.insert(name, Value::Object(header));
                    }
                    out.insert(k, Value::Object(conv));
                }
                _ => {
                    out.insert(k, v);
                }
            }
        }
        if let Some(schema) = schema {
            let is_file = schema.get("type").and_then(Value::as_str) == Some("file");
            let types = match (produces.types.is_empty(), is_file) {
                (false, _) => produces.types.clone(),
                (true, false) => vec!["application/json".to_string()],
                (true, true) => vec!["application/octet-stream".to_string()],
            };
            let content_at = join(at, "content");
            let from = join(&self.origins.original(at), "schema");
            self.origins.record(content_at.clone(), from.clone());
            let mut content = Map::new();
            for (i, mt) in types.iter().enumerate() {
                let mt_at = join(&content_at, mt);
                let schema_at = join(&mt_at, "schema");
                self.spend_media(mt, produces, &mt_at, mt.len() + mt_at.len() + schema_at.len() + 2 * from.len(), at)?;
                self.origins.record(mt_at, from.clone());
                self.origins.record(schema_at.clone(), from.clone());
                let mut s = if i == 0 { schema.clone() } else { self.copy(&schema, &schema_at)? };
                self.schema(&mut s, &schema_at);
                let mut media = json!({ "schema": s });
                if let Some(ex) = examples.remove(mt) {
                    self.origins.record(join(&join(&content_at, mt), "example"), join(&join(&self.origins.original(at), "examples"), mt));
                    media["example"] = ex;
                }
                content.insert(mt.clone(), media);
            }
            out.insert("content".into(), Value::Object(content));
        }
        for mt in examples.keys() {
            self.note("swagger-example-ignored", &join(&join(at, "examples"), mt), "this example's media type is not one the response is described in; it is not kept".into());
        }
        Ok(Value::Object(out))
    }

    fn security_scheme(&mut self, s: Value, at: &str) -> Value {
        let Value::Object(s) = s else { return s };
        let mut out = Map::new();
        let text = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
        match s.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".into(), json!("http"));
                out.insert("scheme".into(), json!("basic"));
                self.origins.record(join(at, "scheme"), join(&self.origins.original(at), "type"));
            }
            Some("oauth2") => {
                out.insert("type".into(), json!("oauth2"));
                let (flow, keys): (&str, &[&str]) = match s.get("flow").and_then(Value::as_str) {
                    Some("implicit") => ("implicit", &["authorizationUrl"]),
                    Some("password") => ("password", &["tokenUrl"]),
                    Some("application") => ("clientCredentials", &["tokenUrl"]),
                    _ => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                };
                let mut f = Map::new();
                for k in keys {
                    f.insert((*k).into(), text(k));
                }
                f.insert("scopes".into(), s.get("scopes").cloned().unwrap_or_else(|| json!({})));
                let flows_at = join(at, "flows");
                self.origins.record(flows_at.clone(), self.origins.original(at));
                self.origins.record(join(&flows_at, flow), self.origins.original(at));
                out.insert("flows".into(), json!({ flow: f }));
            }
            _ => {
                for k in ["type", "name", "in"] {
                    out.insert(k.into(), text(k));
                }
            }
        }
        for (k, v) in s {
            if k == "description" || k.starts_with("x-") {
                out.insert(k, v);
            }
        }
        Value::Object(out)
    }

    /// A 2.0 schema, in place: `$ref`s into 3.0's places, `x-nullable` → `nullable`, a
    /// discriminator's property name → a discriminator object, `type: file` → binary.
    fn schema(&mut self, node: &mut Value, ptr: &str) {
        let Value::Object(map) = node else { return };
        if let Some(Value::String(r)) = map.get_mut("$ref") {
            *r = rewrite_ref(r);
        }
        if let Some(v) = map.remove("x-nullable") {
            if v == Value::Bool(true) {
                map.insert("nullable".into(), json!(true));
                self.origins.record(join(ptr, "nullable"), self.origins.original(&join(ptr, "x-nullable")));
            }
        }
        if let Some(Value::String(name)) = map.get("discriminator") {
            let d = json!({ "propertyName": name });
            self.origins.record(join(&join(ptr, "discriminator"), "propertyName"), self.origins.original(&join(ptr, "discriminator")));
            map.insert("discriminator".into(), d);
        }
        if map.get("type").and_then(Value::as_str) == Some("file") {
            map.insert("type".into(), json!("string"));
            map.insert("format".into(), json!("binary"));
            self.origins.record(join(ptr, "format"), self.origins.original(&join(ptr, "type")));
        }
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            let at = join(ptr, "properties");
            for (k, v) in props.iter_mut() {
                self.schema(v, &join(&at, k));
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(a)) = map.get_mut(key) {
                for (i, v) in a.iter_mut().enumerate() {
                    self.schema(v, &format!("{ptr}/{key}/{i}"));
                }
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(v @ Value::Object(_)) = map.get_mut(key) {
                self.schema(v, &join(ptr, key));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(doc: Value) -> (Value, Normalized) {
        let mut raw = doc;
        let n = convert(&mut raw, 0).unwrap_or_else(|p| panic!("{}: {}", p.pointer, p.message));
        (raw, n)
    }

    #[test]
    fn moved_and_made_nodes_name_their_origin() {
        let (raw, n) = conv(json!({
            "swagger": "2.0", "info": {"title": "T", "version": "1"},
            "host": "h.example", "schemes": ["http", "https", "wss"],
            "consumes": ["application/json", "application/xml"],
            "parameters": {"b": {"name": "b", "in": "body", "schema": {"type": "object", "properties": {"x": {"type": "string", "x-nullable": true}}}}},
            "paths": {"/a": {"post": {
                "parameters": [{"name": "q", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "pipes"}, {"$ref": "#/parameters/b"}],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/D"}, "headers": {"H": {"type": "integer"}}}}
            }}},
            "definitions": {"D": {"type": "object", "discriminator": "kind", "properties": {"kind": {"type": "string"}}}},
            "securityDefinitions": {"o": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {}}}
        }));
        assert_eq!(raw["servers"], json!([{"url": "https://h.example"}, {"url": "http://h.example"}]));
        let op = &raw["paths"]["/a"]["post"];
        assert_eq!(op["parameters"][0]["style"], "pipeDelimited");
        assert_eq!(op["parameters"][0]["schema"], json!({"type": "array", "items": {"type": "string"}}));
        assert_eq!(op["requestBody"]["content"]["application/xml"]["schema"]["properties"]["x"]["nullable"], true);
        assert_eq!(op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/D");
        assert_eq!(op["responses"]["200"]["headers"]["H"]["schema"], json!({"type": "integer"}));
        assert_eq!(raw["components"]["schemas"]["D"]["discriminator"], json!({"propertyName": "kind"}));
        assert_eq!(raw["components"]["securitySchemes"]["o"]["flows"]["clientCredentials"]["tokenUrl"], "https://t");
        assert!(raw["components"].get("parameters").is_none(), "a body parameter is no 3.0 parameter");
        let o = |p: &str| n.origins.original(p);
        assert_eq!(o("/paths/~1a/post/parameters/0/schema/items"), "/paths/~1a/post/parameters/0/items");
        assert_eq!(o("/paths/~1a/post/requestBody/content/application~1xml/schema/properties/x/nullable"), "/parameters/b/schema/properties/x/x-nullable");
        assert_eq!(o("/paths/~1a/post/responses/200/content/application~1json/schema/$ref"), "/paths/~1a/post/responses/200/schema/$ref");
        assert_eq!(o("/paths/~1a/post/responses/200/headers/H/schema/type"), "/paths/~1a/post/responses/200/headers/H/type");
        assert_eq!(o("/components/schemas/D/discriminator/propertyName"), "/definitions/D/discriminator");
        assert_eq!(o("/components/securitySchemes/o/flows/clientCredentials/tokenUrl"), "/securityDefinitions/o/tokenUrl");
        assert_eq!(o("/servers/1/url"), "/host");
        let codes: Vec<(&str, &str)> = n.notes.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert_eq!(codes, [("swagger-scheme-ignored", "/schemes/2")]);
    }

    #[test]
    fn form_parameters_become_a_form_or_multipart_body() {
        let doc = |consumes: Value, file: bool| {
            let ty = if file { "file" } else { "string" };
            json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "basePath": "/v1", "paths": {"/a": {"post": {
                "consumes": consumes,
                "parameters": [{"name": "f", "in": "formData", "type": ty, "required": true}, {"name": "t", "in": "formData", "type": "array", "items": {"type": "string"}, "collectionFormat": "tsv"}],
                "responses": {"204": {"description": "ok"}}}}}})
        };
        let (raw, n) = conv(doc(json!([]), false));
        assert_eq!(raw["servers"], json!([{"url": "/v1"}]));
        let body = &raw["paths"]["/a"]["post"]["requestBody"];
        assert_eq!(body["required"], true);
        let form = &body["content"][FORM];
        assert_eq!(form["schema"]["required"], json!(["f"]));
        assert_eq!(form["encoding"]["t"], json!({"style": "form", "explode": false}));
        assert_eq!(n.notes.iter().map(|d| (d.code, d.pointer.as_str())).collect::<Vec<_>>(), [("collection-format-ignored", "/paths/~1a/post/parameters/1/collectionFormat")]);
        let (raw, _) = conv(doc(json!([]), true));
        let content = raw["paths"]["/a"]["post"]["requestBody"]["content"].as_object().unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), [MULTIPART]);
        assert_eq!(content[MULTIPART]["schema"]["properties"]["f"], json!({"type": "string", "format": "binary"}));
        let (raw, _) = conv(doc(json!([MULTIPART, "application/json"]), false));
        assert_eq!(raw["paths"]["/a"]["post"]["requestBody"]["content"].as_object().unwrap().keys().collect::<Vec<_>>(), [MULTIPART]);
    }

    #[test]
    fn copies_stay_within_the_budget() {
        // One shared body parameter with a large inline schema, used by many operations and
        // described in many media types: copying it each time would grow with their product.
        let props: Map<String, Value> = (0..2000).map(|i| (format!("p{i}"), json!({"type": "string"}))).collect();
        let doc = |types: usize, ops: usize| {
            let types: Vec<String> = (0..types).map(|i| format!("application/x{i}+json")).collect();
            let paths: Map<String, Value> = (0..ops).map(|i| (format!("/p{i}"), json!({"post": {"parameters": [{"$ref": "#/parameters/big"}], "responses": {"204": {"description": "ok"}}}}))).collect();
            json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "consumes": types,
                "parameters": {"big": {"name": "big", "in": "body", "schema": {"type": "object", "properties": props}}}, "paths": paths})
        };
        let text = |v: &Value| v.to_string().len();
        for (types, ops) in [(300, 1), (1, 300)] {
            let mut d = doc(types, ops);
            let bytes = text(&d);
            let e = convert(&mut d, bytes).err().unwrap_or_else(|| panic!("{types} media types, {ops} operations: not refused"));
            assert!(e.message.contains("would copy more than 64 MiB"), "{}", e.message);
            assert!(e.pointer.starts_with("/parameters/big/schema"), "{}", e.pointer);
        }
        let mut d = doc(2, 20);
        let bytes = text(&d);
        assert!(convert(&mut d, bytes).is_ok(), "within the budget: 40 copies of 4,000 nodes");
    }

    /// Each response is described in each media type of `produces` (and a body in each of
    /// `consumes`), under the media type's name and with pointers through it: 250 media types
    /// of 4 KB and 1,000 responses took 3 GB from 1 MB when only the schemas' nodes were
    /// counted. The refusal names the long media type where it is written.
    #[test]
    fn long_media_types_for_many_responses_and_bodies_are_refused_naming_the_media_type() {
        let long: Vec<String> = (0..250).map(|i| format!("application/x{i}-{}", "m".repeat(4_000))).collect();
        // With its own `produces`, one operation whose 400 responses each take every type; the
        // others are 1,000 operations taking the document's `produces` or `consumes`.
        let doc = |kind: &str| {
            let ops = if kind == "own" { 1 } else { 1_000 };
            let op = match kind {
                "own" => json!({"produces": long, "responses": (200..600).map(|s| (s.to_string(), json!({"description": "ok", "schema": {}}))).collect::<Map<_, _>>()}),
                "form" => json!({"parameters": [{"name": "f", "in": "formData", "type": "string"}], "responses": {"204": {"description": "ok"}}}),
                "body" => json!({"parameters": [{"name": "b", "in": "body", "schema": {}}], "responses": {"204": {"description": "ok"}}}),
                _ => json!({"responses": {"200": {"description": "ok", "schema": {}}}}),
            };
            let paths: Map<String, Value> = (0..ops).map(|i| (format!("/p{i}"), json!({"post": op}))).collect();
            let consumes: Vec<String> = match kind {
                "form" => long.iter().map(|m| format!("multipart/form-data; x={m}")).collect(),
                "body" => long.clone(),
                _ => Vec::new(),
            };
            let produces = if kind == "global" { long.clone() } else { Vec::new() };
            json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "produces": produces, "consumes": consumes, "paths": paths})
        };
        for (kind, place) in [("global", "/produces/"), ("own", "/paths/~1p0/post/produces/"), ("form", "/consumes/"), ("body", "/consumes/")] {
            let mut d = doc(kind);
            let bytes = d.to_string().len();
            let e = convert(&mut d, bytes).err().unwrap_or_else(|| panic!("{kind}: not refused"));
            assert!(e.pointer.starts_with(place), "{kind}: {}", e.pointer);
            assert!(e.message.contains("fewer or shorter media types"), "{}", e.message);
        }
        // Short media types for as many responses are what real documents do.
        let short: Vec<String> = (0..4).map(|i| format!("application/x{i}+json")).collect();
        let paths: Map<String, Value> = (0..1_000).map(|i| (format!("/p{i}"), json!({"get": {"responses": {"200": {"description": "ok", "schema": {"type": "string"}}}}}))).collect();
        let mut d = json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "produces": short, "paths": paths});
        let bytes = d.to_string().len();
        assert!(convert(&mut d, bytes).is_ok());
    }
}
