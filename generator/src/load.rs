//! Bytes → a raw JSON tree, version-checked and validated against the OpenAPI 3.0 model.
//!
//! The raw tree is what every later stage reads: openapiv3's typed model drops keys that sit
//! beside a `$ref` (`nullable`, `readOnly`, `description`, …) and those change the generated
//! types, so openapiv3 is used here as the structural validator, not as the data model.

use std::path::Path;

use serde_json::Value;

use crate::limits::MAX_DOCUMENT_DEPTH;

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
}

/// Why a document could not be loaded. Every variant names the file; most name a place in it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {source}", crate::escape::shown(.file))]
    /// The file could not be read.
    Io {
        /// The file, as messages name it.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    #[error("{}: the file is empty; expected an OpenAPI 3.0 document (a YAML or JSON object)", crate::escape::shown(.file))]
    /// The file is empty.
    Empty {
        /// The file, as messages name it.
        file: String,
    },
    #[error("{}: not a text document (byte {offset} is not UTF-8); expected an OpenAPI 3.0 document in YAML or JSON", crate::escape::shown(.file))]
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
    #[error("{}: the document is {found}; expected an object with an `openapi: 3.0.x` member", crate::escape::shown(.file))]
    /// The document is not an object.
    NotAnObject {
        /// The file, as messages name it.
        file: String,
        /// What it is instead.
        found: &'static str,
    },
    #[error("{}: this is a Swagger {} document; this generator reads OpenAPI 3.0.x. Convert it first (for example with swagger2openapi) and try again", crate::escape::shown(.file), crate::escape::shown(.version))]
    /// A Swagger 2.0 document.
    Swagger2 {
        /// The file, as messages name it.
        file: String,
        /// Its `swagger` version.
        version: String,
    },
    #[error("{}: OpenAPI version {} is not supported; this generator reads OpenAPI 3.0.x documents only (3.1 changes schema semantics, so it is refused rather than read lossily)", crate::escape::shown(.file), crate::escape::shown(.version))]
    /// An OpenAPI version other than 3.0.x.
    UnsupportedVersion {
        /// The file, as messages name it.
        file: String,
        /// Its `openapi` version.
        version: String,
    },
    #[error("{}: no `openapi` member at the top level; expected `openapi: 3.0.x`", crate::escape::shown(.file))]
    /// No `openapi` member.
    MissingVersion {
        /// The file, as messages name it.
        file: String,
    },
    #[error("{}:{line}: invalid OpenAPI 3.0 at {}: {}", crate::escape::shown(.file), crate::escape::shown(.pointer), crate::escape::shown(.message))]
    /// The document does not match the OpenAPI 3.0 model.
    Invalid {
        /// The file, as messages name it.
        file: String,
        /// JSON pointer of the invalid node.
        pointer: String,
        /// 1-based line of that node.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads and loads a document from disk.
pub fn load_path(path: &Path) -> Result<Document, LoadError> {
    let (text, raw) = read_path(path)?;
    finish(&path.display().to_string(), text, raw, crate::overlay::Provenance::default())
}

/// Loads a document from memory; `name` is used in messages.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<Document, LoadError> {
    load_owned(name, bytes.to_vec())
}

/// Loads a document from bytes it takes over, so the text it keeps is not a second copy.
fn load_owned(name: &str, bytes: Vec<u8>) -> Result<Document, LoadError> {
    let (text, raw) = parse_owned(name, bytes)?;
    finish(name, text, raw, crate::overlay::Provenance::default())
}

/// Reads a file into its text and raw tree, with every check of the reading path (text, depth,
/// syntax, an object at the top) but none of OpenAPI's: what overlays are read with too, and
/// what a document is read with before overlays apply to it.
pub(crate) fn read_path(path: &Path) -> Result<(String, Value), LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io { file: name.clone(), source })?;
    parse_owned(&name, bytes)
}

/// The OpenAPI checks (version, then the openapiv3 model) on a raw tree, which overlays may
/// have changed since `text` was parsed; `written` says where.
pub(crate) fn finish(
    name: &str,
    text: String,
    raw: Value,
    written: crate::overlay::Provenance,
) -> Result<Document, LoadError> {
    check_version(name, &raw)?;
    validate(name, &text, &raw)?;
    Ok(Document { name: name.to_string(), raw, text, written })
}

/// [`read_path`] for bytes in memory; `name` is used in messages.
pub(crate) fn parse_bytes(name: &str, bytes: &[u8]) -> Result<(String, Value), LoadError> {
    parse_owned(name, bytes.to_vec())
}

/// Text checks and parsing of bytes it takes over.
fn parse_owned(name: &str, bytes: Vec<u8>) -> Result<(String, Value), LoadError> {
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
    let raw = parse_text(&file, &text)?;
    Ok((text, raw))
}

fn parse_text(file: &str, text: &str) -> Result<Value, LoadError> {
    let first = text.trim_start().chars().next();
    let syntax = |format: &'static str, line: usize, column: usize, message: String| {
        // Both parsers stop at the same depth; say so in the project's words.
        if message.starts_with("recursion limit exceeded") {
            LoadError::TooDeep { file: file.to_string(), line, column, limit: MAX_DOCUMENT_DEPTH }
        } else {
            LoadError::Syntax { file: file.to_string(), format, line, column, message: strip_position(&message) }
        }
    };
    let raw: Value = if matches!(first, Some('{') | Some('[')) {
        serde_json::from_str(text).map_err(|e| syntax("JSON", e.line(), e.column(), e.to_string()))?
    } else {
        // libyaml's cost grows with the square of flow nesting, and the whole document is
        // parsed before the depth is checked: refuse deep flow collections first.
        if let Some(at) = crate::limits::yaml_flow_too_deep(text, MAX_DOCUMENT_DEPTH) {
            let (line, column) = line_column(text, at);
            return Err(LoadError::TooDeep { file: file.to_string(), line, column, limit: MAX_DOCUMENT_DEPTH });
        }
        serde_yaml_ng::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            syntax("YAML", line, column, e.to_string())
        })?
    };
    match &raw {
        Value::Object(_) => Ok(raw),
        other => Err(LoadError::NotAnObject {
            file: file.to_string(),
            found: json_kind(other),
        }),
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

fn check_version(file: &str, raw: &Value) -> Result<(), LoadError> {
    let version_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(v) = raw.get("swagger") {
        return Err(LoadError::Swagger2 {
            file: file.to_string(),
            version: version_text(v),
        });
    }
    let Some(v) = raw.get("openapi") else {
        return Err(LoadError::MissingVersion {
            file: file.to_string(),
        });
    };
    let version = version_text(v);
    if version.starts_with("3.0") {
        Ok(())
    } else {
        Err(LoadError::UnsupportedVersion {
            file: file.to_string(),
            version,
        })
    }
}

fn validate(file: &str, text: &str, raw: &Value) -> Result<(), LoadError> {
    let result: Result<openapiv3::OpenAPI, _> = serde_path_to_error::deserialize(raw);
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let pointer = path_to_pointer(e.path());
            let line = crate::locate::line_of(text, &pointer).unwrap_or(1);
            Err(LoadError::Invalid {
                file: file.to_string(),
                pointer,
                line,
                message: e.into_inner().to_string(),
            })
        }
    }
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
