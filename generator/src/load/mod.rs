//! Bytes → a raw JSON tree, version-checked, validated and normalized to the 3.0 shape.
//!
//! The raw tree is what every later stage reads: openapiv3's typed model drops keys that sit
//! beside a `$ref` (`nullable`, `readOnly`, `description`, …) and those change the generated
//! types, so openapiv3 is used here as the structural validator of 3.0 input, not as the data
//! model. 3.1 and 3.2 input, which openapiv3 cannot model, is validated by [`check`] and then
//! rewritten into the 3.0 shape by [`normalize`] (see ARCHITECTURE.md, "Version dispatch").

mod check;
mod check2;
mod file;
mod normalize;
mod swagger;
mod uri;
mod version;
mod yaml;

use std::path::Path;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::limits::MAX_DOCUMENT_DEPTH;
pub use file::ReadError;
pub(crate) use file::read_input;
pub(crate) use normalize::Origins;
pub(crate) use version::Version;

/// A loaded OpenAPI document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from, as shown in messages (a path, or `REV:PATH`).
    pub name: String,
    /// The whole document as JSON, key order as written.
    pub raw: Value,
    /// The text it was parsed from, kept so diagnostics can name lines.
    pub text: String,
    /// The places overlays wrote, whose lines `text` does not hold.
    pub(crate) written: crate::overlay::Provenance,
    /// The size the document's budgets are measured against (see [`Parsed::input_bytes`]).
    pub(crate) input_bytes: usize,
    /// The OpenAPI version the document declares.
    pub(crate) version: Version,
    /// Where the nodes normalization moved or created came from in the document as written.
    pub(crate) origins: Origins,
    /// What normalization could not carry over, as diagnostics on the document as written.
    pub(crate) notes: Vec<Diagnostic>,
}

impl Document {
    /// The pointer in the document as written of the node at `ptr` in [`Document::raw`].
    pub(crate) fn original_pointer(&self, ptr: &str) -> String {
        self.origins.original(ptr)
    }

    /// The size the budgets are measured against: the document's and its overlays' texts.
    pub(crate) fn budget_bytes(&self) -> usize {
        self.input_bytes.saturating_add(self.written.input_bytes())
    }
}

/// Why a document could not be loaded. Every variant names the file; most name a place in it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    /// The file could not be read, or is no regular file, or is too large.
    Read(#[from] ReadError),
    #[error("{}: the file is empty; expected an OpenAPI 3.x document (a YAML or JSON object)", crate::escape::shown(.file))]
    /// The file is empty.
    Empty {
        /// The file, as messages name it.
        file: String,
    },
    #[error("{}: not a text document (byte {offset} is not UTF-8); expected an OpenAPI 3.x document in YAML or JSON", crate::escape::shown(.file))]
    /// The file is not UTF-8 text.
    NotText {
        /// The file, as messages name it.
        file: String,
        /// The first byte that is not UTF-8.
        offset: usize,
    },
    #[error("{}:{line}:{column}: {format} syntax error: {}", crate::escape::shown(.file), crate::escape::shown(.message))]
    /// The YAML or JSON does not parse.
    Syntax {
        /// The file, as messages name it.
        file: String,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    #[error("{}:{line}:{column}: the document nests too deeply: more than {limit} levels of mappings and sequences; this generator reads at most {limit} (see \"Limits\" in its README)", crate::escape::shown(.file))]
    /// The document nests deeper than the generator reads.
    TooDeep {
        /// The file, as messages name it.
        file: String,
        /// 1-based line where the limit is crossed.
        line: usize,
        /// 1-based column where the limit is crossed.
        column: usize,
        /// The nesting limit.
        limit: usize,
    },
    #[error("{}:{line}:{column}: YAML aliases expand the document past {limit_mib} MiB here (the tree may take {} bytes for each byte of the text, at least {} MiB); write the repeated value fewer times, or name it once with a `$ref` (see \"Limits\" in the README)", crate::escape::shown(.file), crate::limits::YAML_TREE_BYTES_PER_BYTE, crate::limits::MIN_POINTER_BYTES >> 20)]
    /// YAML aliases copy anchored nodes into a tree far larger than the text.
    AliasesTooLarge {
        /// The file, as messages name it.
        file: String,
        /// 1-based line of the alias where the limit is crossed.
        line: usize,
        /// 1-based column of that alias.
        column: usize,
        /// The limit, in MiB.
        limit_mib: usize,
    },
    #[error("{}: the document is {found}; expected an object with an `openapi` member such as `3.1.0`", crate::escape::shown(.file))]
    /// The document is not an object.
    NotAnObject {
        /// The file, as messages name it.
        file: String,
        /// What it is instead.
        found: &'static str,
    },
    #[error("{}: version {} is not supported; this generator reads Swagger 2.0 and OpenAPI 3.0.x, 3.1.x and 3.2.x documents", crate::escape::shown(.file), crate::escape::shown(.version))]
    /// A version other than Swagger 2.0 or OpenAPI 3.0.x, 3.1.x or 3.2.x.
    UnsupportedVersion {
        /// The file, as messages name it.
        file: String,
        /// Its `openapi` version (or `Swagger` and its `swagger` version).
        version: String,
    },
    #[error("{}:1: `{member}` is {found} ({}), not a string; write the version quoted, for example `{member}: \"{example}\"`", crate::escape::shown(.file), crate::escape::shown(.written))]
    /// The `openapi` or `swagger` member is not a string (in YAML, `openapi: 3.1` is a number).
    VersionNotString {
        /// The file, as messages name it.
        file: String,
        /// `openapi` or `swagger`.
        member: &'static str,
        /// A version written as it should be.
        example: &'static str,
        /// What it is instead.
        found: &'static str,
        /// The value as written.
        written: String,
    },
    #[error("{}: no `openapi` member at the top level; expected `openapi: 3.0.x`, `3.1.x` or `3.2.x`", crate::escape::shown(.file))]
    /// No `openapi` member.
    MissingVersion {
        /// The file, as messages name it.
        file: String,
    },
    #[error("{}:{line}: the key at {} is {}", crate::escape::shown(.file), crate::escape::shown(.pointer), keys_too_long(*.length))]
    /// Long keys above many nodes: the document's pointers would cost more than the budget.
    KeysTooLong {
        /// The file, as messages name it.
        file: String,
        /// 1-based line of the key.
        line: usize,
        /// JSON pointer to the longest key above the node where the budget ran out.
        pointer: String,
        /// That key's length in bytes.
        length: usize,
    },
    #[error("{}:{line}: invalid {version} at {}: {}", crate::escape::shown(.file), crate::escape::shown(.pointer), crate::escape::shown(.message))]
    /// The document does not match the model of the OpenAPI version it declares.
    Invalid {
        /// The file, as messages name it.
        file: String,
        /// The version it declares: `Swagger 2.0`, `OpenAPI 3.0`, `OpenAPI 3.1` or `OpenAPI 3.2`.
        version: &'static str,
        /// JSON pointer of the invalid node.
        pointer: String,
        /// 1-based line of that node.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// What [`LoadError::KeysTooLong`] says after the place.
pub(crate) fn keys_too_long(length: usize) -> String {
    format!(
        "{length} bytes long, and the JSON pointers through it to the nodes below add up to more than this generator keeps for its messages ({} bytes for each byte of the input, at least {} MiB); shorten the key, or move what is below it out of the document (see \"Limits\" in the README)",
        crate::limits::POINTER_BYTES_PER_BYTE,
        crate::limits::MIN_POINTER_BYTES >> 20
    )
}

/// A text and the tree parsed from it, before any of OpenAPI's checks.
pub(crate) struct Parsed {
    pub(crate) text: String,
    pub(crate) raw: Value,
    /// The size the document's budgets are measured against: the text's, or, when YAML aliases
    /// made the tree larger than the text, the tree's written out without them (which the
    /// aliases' own budget bounds).
    pub(crate) input_bytes: usize,
}

/// Reads and loads a document from disk.
pub fn load_path(path: &Path) -> Result<Document, LoadError> {
    finish(&path.display().to_string(), read_path(path)?, crate::overlay::Provenance::default())
}

/// Loads a document from memory; `name` is used in messages.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<Document, LoadError> {
    load_owned(name, bytes.to_vec())
}

/// Loads a document from bytes it takes over, so the text it keeps is not a second copy.
fn load_owned(name: &str, bytes: Vec<u8>) -> Result<Document, LoadError> {
    finish(name, parse_owned(name, bytes)?, crate::overlay::Provenance::default())
}

/// Reads a file into its text and raw tree, with every check of the reading path (text, depth,
/// syntax, an object at the top) but none of OpenAPI's: what overlays are read with too, and
/// what a document is read with before overlays apply to it.
pub(crate) fn read_path(path: &Path) -> Result<Parsed, LoadError> {
    let name = path.display().to_string();
    let bytes = read_input(path, crate::limits::MAX_INPUT_BYTES)?;
    parse_owned(&name, bytes)
}

/// The OpenAPI checks on a raw tree, which overlays may have changed since `text` was parsed
/// (`written` says where): the version, then openapiv3's model for 3.0 or [`check`] for 3.1 and
/// 3.2, then normalization to the 3.0 shape.
pub(crate) fn finish(name: &str, parsed: Parsed, written: crate::overlay::Provenance) -> Result<Document, LoadError> {
    let Parsed { text, mut raw, input_bytes } = parsed;
    let version = version::detect(name, &raw)?;
    // Before any stage keeps a pointer per node (validation, normalization, the Swagger 2.0
    // conversion), and again after them, since the conversion adds nodes.
    let budget_bytes = input_bytes.saturating_add(written.input_bytes());
    let over_budget = |raw: &Value, origins: &Origins| {
        crate::limits::pointers_over_budget(raw, budget_bytes).map(|(at, length)| {
            let pointer = origins.original(&at);
            let line = crate::locate::line_of(&text, &pointer).unwrap_or(1);
            LoadError::KeysTooLong { file: name.to_string(), line, pointer, length }
        })
    };
    if let Some(e) = over_budget(&raw, &Origins::default()) {
        return Err(e);
    }
    let invalid = |p: check::Problem| LoadError::Invalid {
        file: name.to_string(),
        version: version.title(),
        line: crate::locate::line_of(&text, &p.pointer).unwrap_or(1),
        pointer: p.pointer,
        message: p.message,
    };
    let normalize::Normalized { origins, notes } = match version {
        Version::V20 => {
            check2::document(&raw).map_err(invalid)?;
            swagger::convert(&mut raw, budget_bytes).map_err(invalid)?
        }
        Version::V30 => {
            validate(&mut raw).map_err(invalid)?;
            normalize::normalize(version, &mut raw)
        }
        _ => {
            check::Checker::new(version).document(&raw).map_err(invalid)?;
            normalize::normalize(version, &mut raw)
        }
    };
    if let Some(e) = over_budget(&raw, &origins) {
        return Err(e);
    }
    Ok(Document { name: name.to_string(), raw, text, written, input_bytes, version, origins, notes })
}

/// [`read_path`] for bytes in memory; `name` is used in messages.
pub(crate) fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Parsed, LoadError> {
    parse_owned(name, bytes.to_vec())
}

/// Text checks and parsing of bytes it takes over.
fn parse_owned(name: &str, bytes: Vec<u8>) -> Result<Parsed, LoadError> {
    let file = name.to_string();
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(LoadError::NotText {
                file,
                offset: e.utf8_error().valid_up_to(),
            })
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.trim().is_empty() {
        return Err(LoadError::Empty { file });
    }
    if text.contains('\0') {
        return Err(LoadError::NotText {
            file,
            offset: text.find('\0').unwrap_or(0),
        });
    }
    let (raw, input_bytes) = parse_text(&file, &text)?;
    Ok(Parsed { text, raw, input_bytes })
}

/// The tree of `text`, and the size its budgets are measured against (see
/// [`Parsed::input_bytes`]).
fn parse_text(file: &str, text: &str) -> Result<(Value, usize), LoadError> {
    let first = text.trim_start().chars().next();
    let syntax = |format: &'static str, line: usize, column: usize, message: String| {
        // Both parsers stop at the same depth; say so in the project's words.
        if message.starts_with("recursion limit exceeded") {
            LoadError::TooDeep { file: file.to_string(), line, column, limit: MAX_DOCUMENT_DEPTH }
        } else {
            LoadError::Syntax { file: file.to_string(), format, line, column, message: strip_position(&message) }
        }
    };
    let (raw, input_bytes): (Value, usize) = if matches!(first, Some('{') | Some('[')) {
        let raw = serde_json::from_str(text).map_err(|e| syntax("JSON", e.line(), e.column(), e.to_string()))?;
        (raw, text.len())
    } else {
        let (raw, written) = read_yaml(text).map_err(|e| match e {
            YamlError::TooDeep { line, column } => LoadError::TooDeep { file: file.to_string(), line, column, limit: MAX_DOCUMENT_DEPTH },
            YamlError::Aliases { line, column, limit_mib } => LoadError::AliasesTooLarge { file: file.to_string(), line, column, limit_mib },
            YamlError::Syntax(e) => {
                let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                syntax("YAML", line, column, e.to_string())
            }
        })?;
        (raw, text.len().max(written))
    };
    match &raw {
        Value::Object(_) => Ok((raw, input_bytes)),
        other => Err(LoadError::NotAnObject {
            file: file.to_string(),
            found: json_kind(other),
        }),
    }
}

/// Why a YAML text was not read into a tree (1-based lines and columns).
pub(crate) enum YamlError {
    /// Flow collections nest past [`MAX_DOCUMENT_DEPTH`]: refused before parsing, as the
    /// parser's cost grows with the square of their depth.
    TooDeep { line: usize, column: usize },
    /// Aliases expand the text past its budget (`limit_mib`), at the alias where it ran out.
    Aliases { line: usize, column: usize, limit_mib: usize },
    /// The text does not parse.
    Syntax(serde_yaml_ng::Error),
}

/// Reads a YAML text into a tree within the limits every YAML input has, the document's and
/// the configuration's: flow nesting checked first, and the tree built within
/// [`crate::limits::YAML_TREE_BYTES_PER_BYTE`] of the text (at least 64 MiB), since the parser
/// copies an anchored node at each alias. The tree, and its size written out.
pub(crate) fn read_yaml(text: &str) -> Result<(Value, usize), YamlError> {
    if let Some(at) = crate::limits::yaml_flow_too_deep(text, MAX_DOCUMENT_DEPTH) {
        let (line, column) = line_column(text, at);
        return Err(YamlError::TooDeep { line, column });
    }
    let limit = crate::limits::MIN_POINTER_BYTES.max(crate::limits::YAML_TREE_BYTES_PER_BYTE.saturating_mul(text.len()));
    let budget = yaml::Budget::new(limit);
    match yaml::parse(text, &budget) {
        Ok(raw) => Ok((raw, budget.written())),
        Err(e) if e.to_string().contains(yaml::OVER_BUDGET) => {
            let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
            Err(YamlError::Aliases { line, column, limit_mib: limit >> 20 })
        }
        Err(e) => Err(YamlError::Syntax(e)),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// The parsers append " at line X column Y"; we print the position in front instead.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A human word for the kind of a JSON value.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Validates 3.0 input against openapiv3's model. Where openapiv3 is stricter than OpenAPI 3.0
/// (a `$ref` in place of a callback), the node is set aside while it reads the rest; where its
/// error pointer stops at a schema, our own checks find the member inside it.
fn validate(raw: &mut Value) -> Result<(), check::Problem> {
    // openapiv3 reads any key of `paths` but an extension as a path; a path begins with `/`.
    if let Some(Value::Object(paths)) = raw.get("paths") {
        if let Some(key) = paths.keys().find(|k| !k.starts_with("x-") && !crate::spec::paths::is_path(k)) {
            return Err(check::Problem { pointer: crate::locate::join("/paths", key), message: "a path must begin with `/`".into() });
        }
    }
    let set_aside = set_aside_callback_refs(raw);
    let result = read_in_pieces::<openapiv3::OpenAPI>(raw, "", None);
    put_back(raw, set_aside);
    match result {
        Ok(()) => Ok(()),
        Err((pointer, message)) => {
            // openapiv3's schema types are untagged, so its path ends at the schema; ours go on.
            if let Err(deeper) = check::Checker::new(Version::V30).document(raw) {
                if deeper.pointer.starts_with(&pointer) && deeper.pointer.len() > pointer.len() {
                    return Err(deeper);
                }
            }
            Err(check::Problem { pointer, message })
        }
    }
}

/// Schema levels openapiv3 reads in one piece. When it fails to read a schema it reads it
/// again, at every level on the way out, so its time grows by about 1.8 for each level of
/// schemas inside schemas above a bad one (a 300-byte document with a bad schema under 20
/// `not`s took 3.6 s, and a few levels more would take hours); 16 levels bound that to a
/// fraction of a second. APIs.guru's 3.0 documents nest at most 19 deep, Cloudflare's 22.
const MODEL_PIECE_DEPTH: usize = 16;

/// Reads `node` (at pointer `base`) into openapiv3's model as `T`, with every schema more than
/// [`MODEL_PIECE_DEPTH`] schema levels below it taken out while it reads, then each of those
/// read the same way as a schema of its own, in document order, and put back. A document
/// nested less deeply is read in one piece, as it always was. The error is the pointer and
/// message of the first piece that fails.
fn read_in_pieces<T: serde::de::DeserializeOwned>(node: &mut Value, base: &str, schema: Option<usize>) -> Result<(), (String, String)> {
    let mut cut = Vec::new();
    cut_deep_schemas(node, schema, &mut Vec::new(), &mut cut);
    let mut result = serde_path_to_error::deserialize::<_, T>(&*node)
        .map(drop)
        .map_err(|e| (format!("{base}{}", path_to_pointer(e.path())), e.into_inner().to_string()));
    for (at, piece) in &mut cut {
        if result.is_err() {
            break;
        }
        result = read_in_pieces::<openapiv3::ReferenceOr<openapiv3::Schema>>(piece, &format!("{base}{at}"), Some(0));
    }
    put_back(node, cut);
    result
}

/// Puts nodes taken out of `node` back at their pointers, the last taken first.
fn put_back(node: &mut Value, taken: Vec<(String, Value)>) {
    for (at, value) in taken.into_iter().rev() {
        if let Some(slot) = node.pointer_mut(&at) {
            *slot = value;
        }
    }
}

/// Replaces with `{}` each schema more than [`MODEL_PIECE_DEPTH`] levels below `node` and
/// answers them with their pointers (relative to `node`). `schema` is the schema depth of
/// `node` (`None` outside schemas: a document, where schemas are `components/schemas`
/// members and `schema` members; examples, links and extensions are not looked into). Inside
/// a schema, the next level is a `properties` member, `items`, `not`, `additionalProperties`
/// and an `allOf`/`anyOf`/`oneOf` element.
fn cut_deep_schemas(node: &mut Value, schema: Option<usize>, path: &mut Vec<String>, cut: &mut Vec<(String, Value)>) {
    match (node, schema) {
        (Value::Object(map), None) => {
            let in_components = matches!(path.as_slice(), [c] if c == "components");
            for (key, child) in map.iter_mut() {
                if matches!(key.as_str(), "example" | "examples" | "links") || key.starts_with("x-") {
                    continue;
                }
                path.push(crate::locate::escape_token(key));
                match (key.as_str(), child) {
                    ("schemas", Value::Object(schemas)) if in_components => cut_in_members(schemas, Some(0), path, cut),
                    ("schema", child) => cut_in(child, Some(0), path, cut),
                    (_, child) => cut_in(child, None, path, cut),
                }
                path.pop();
            }
        }
        (Value::Array(list), None) => cut_in_elements(list, None, path, cut),
        (Value::Object(map), Some(d)) => {
            for (key, child) in map.iter_mut() {
                path.push(crate::locate::escape_token(key));
                match (key.as_str(), child) {
                    ("properties", Value::Object(props)) => cut_in_members(props, Some(d + 1), path, cut),
                    ("items" | "not" | "additionalProperties", s) => cut_in(s, Some(d + 1), path, cut),
                    ("allOf" | "anyOf" | "oneOf", Value::Array(list)) => cut_in_elements(list, Some(d + 1), path, cut),
                    _ => {}
                }
                path.pop();
            }
        }
        _ => {}
    }
}

/// [`cut_deep_schemas`] for `child` at `path`, which is cut itself when it is a schema too deep.
fn cut_in(child: &mut Value, depth: Option<usize>, path: &mut Vec<String>, cut: &mut Vec<(String, Value)>) {
    match depth {
        Some(d) if d > MODEL_PIECE_DEPTH && child.is_object() => {
            let at: String = path.iter().map(|t| format!("/{t}")).collect();
            cut.push((at, std::mem::replace(child, Value::Object(Default::default()))));
        }
        _ => cut_deep_schemas(child, depth, path, cut),
    }
}

/// [`cut_in`] for each member of a map, all at `depth`.
fn cut_in_members(map: &mut serde_json::Map<String, Value>, depth: Option<usize>, path: &mut Vec<String>, cut: &mut Vec<(String, Value)>) {
    for (name, child) in map.iter_mut() {
        path.push(crate::locate::escape_token(name));
        cut_in(child, depth, path, cut);
        path.pop();
    }
}

/// [`cut_in`] for each element of a list, all at `depth`.
fn cut_in_elements(list: &mut [Value], depth: Option<usize>, path: &mut Vec<String>, cut: &mut Vec<(String, Value)>) {
    for (i, child) in list.iter_mut().enumerate() {
        path.push(i.to_string());
        cut_in(child, depth, path, cut);
        path.pop();
    }
}

/// Takes every `callbacks` entry of an operation that is a `$ref` (legal in OpenAPI 3.0, not in
/// openapiv3's model) out of `raw`, leaving an empty callback; answers what to put back.
fn set_aside_callback_refs(raw: &mut Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(Value::Object(paths)) = raw.get_mut("paths") else { return out };
    for (path, item) in paths.iter_mut().filter(|(k, _)| crate::spec::paths::is_path(k)) {
        let Value::Object(item) = item else { continue };
        for method in crate::spec::paths::METHODS {
            let Some(Value::Object(cbs)) = item.get_mut(method).and_then(|op| op.get_mut("callbacks")) else { continue };
            for (name, cb) in cbs.iter_mut() {
                if cb.get("$ref").is_some() {
                    let ptr = format!("{}/{method}/callbacks/{}", crate::locate::join("/paths", path), crate::locate::escape_token(name));
                    out.push((ptr, std::mem::replace(cb, Value::Object(Default::default()))));
                }
            }
        }
    }
    out
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push('/');
                out.push_str(&crate::locate::escape_token(key));
            }
            Segment::Unknown => {}
        }
    }
    if out.is_empty() {
        "/".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod piece_tests {
    use super::*;

    /// Schemas nested past the piece depth load as a whole (each piece read on its own and put
    /// back where it was), and a bad member in a piece is named by its whole pointer.
    #[test]
    fn deep_schemas_are_read_in_pieces_and_put_back() {
        let doc = |leaf: Value| {
            let mut s = leaf;
            for i in 0..40 {
                s = if i % 2 == 0 { serde_json::json!({"type": "object", "properties": {"p~/": s}}) } else { serde_json::json!({"allOf": [s]}) };
            }
            serde_json::json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"A": s}}})
        };
        let good = doc(serde_json::json!({"type": "string"}));
        let mut raw = good.clone();
        assert!(validate(&mut raw).is_ok());
        assert_eq!(raw, good, "every piece is put back");

        let mut raw = doc(serde_json::json!({"type": "string", "maxLength": "x"}));
        let problem = validate(&mut raw).unwrap_err();
        assert!(problem.pointer.starts_with("/components/schemas/A/allOf/0/properties/p~0~1/"), "{}", problem.pointer);
        assert!(problem.pointer.ends_with("/maxLength"), "{}", problem.pointer);
        assert_eq!(problem.pointer.matches("/properties/p~0~1").count(), 20);
        assert_eq!(raw, doc(serde_json::json!({"type": "string", "maxLength": "x"})), "put back after a failure too");
    }
}

#[cfg(test)]
mod path_key_tests {
    use super::*;
    use serde_json::json;

    /// Extensions under `paths` are no paths, in every version: an `x-p` holding a `get` made a
    /// method (and in 2.0 skipped the checks and the conversion), and one that is a `$ref` to
    /// itself was refused as a circular alias. A key that is neither begins with `/` or is refused.
    #[test]
    fn extensions_under_paths_are_not_paths() {
        let ok = json!({"204": {"description": ""}});
        let info = json!({"title": "T", "version": "1"});
        let docs = [
            json!({"swagger": "2.0", "info": info, "paths": {"x-p": {"get": {"operationId": "evil", "responses": ok}}, "/a": {"get": {"responses": ok}}}}),
            json!({"openapi": "3.0.3", "info": info, "paths": {"x-p": {"$ref": "#/paths/x-p"}, "/a": {"get": {"responses": ok}}}}),
            json!({"openapi": "3.0.3", "info": info, "paths": {"x-p": {"get": {"operationId": "evil", "responses": ok}}, "/a": {"get": {"responses": ok}}}}),
            json!({"openapi": "3.1.0", "info": info, "paths": {"x-p": {"get": {"operationId": "evil", "responses": ok}}, "/a": {"get": {"responses": ok}}}}),
        ];
        for doc in docs {
            let loaded = load_bytes("x.json", doc.to_string().as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
            let spec = crate::spec::Spec::from_value(&loaded.raw);
            let ops = spec.operations().unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(ops.iter().map(|o| o.path).collect::<Vec<_>>(), ["/a"], "{doc}");
        }
        for version in [json!({"openapi": "3.0.3"}), json!({"openapi": "3.1.0"}), json!({"swagger": "2.0"})] {
            let mut doc = json!({"info": info, "paths": {"a": {"get": {"responses": ok}}}});
            doc.as_object_mut().unwrap().extend(version.as_object().unwrap().clone());
            let e = load_bytes("x.json", doc.to_string().as_bytes()).expect_err("a path without `/`").to_string();
            assert!(e.contains("at /paths/a: a path must begin with `/`"), "{e}");
        }
    }
}
