//! Bodies: content negotiation, the response a method returns and Cloudflare envelopes.

use serde_json::{Map, Value};


/// The JSON media type among `types`, preferring `application/json`, else the first (by name)
/// whose name mentions `json`.
fn pick_json<'k>(types: &[&'k String]) -> Option<&'k String> {
    let preferred = types.iter().find(|k| k.as_str() == "application/json");
    preferred.or_else(|| types.iter().filter(|k| k.contains("json")).min()).copied()
}

/// True for a success status (`2XX` included).
pub fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

/// The response a generated method returns: the lowest success status, else `default`.
pub fn success_status(responses: &Map<String, Value>) -> Option<&str> {
    responses
        .keys()
        .filter(|k| is_success(k))
        .min()
        .map(String::as_str)
        .or_else(|| responses.contains_key("default").then_some("default"))
}

/// A Cloudflare envelope: `{success, errors | messages, result}`, given which properties a
/// body schema has. The generated method returns `result`.
pub fn is_envelope(has: impl Fn(&str) -> bool) -> bool {
    has("result") && has("success") && (has("errors") || has("messages"))
}

/// How a body of one media type travels, once negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MediaKind {
    /// JSON text (`application/json`, `*+json`, any type naming `json`, and `*/*` or
    /// `application/*` whose schema is not binary).
    Json,
    /// `multipart/form-data`: one part per property.
    Multipart,
    /// `application/x-www-form-urlencoded`: the properties as `name=value` pairs.
    Form,
    /// Bytes as they are: `application/octet-stream`, images, archives, and any type this
    /// generator has no better reading of.
    Binary,
    /// `text/*`: UTF-8 text.
    Text,
}

/// What a media type's `schema` is, as far as choosing how its body travels goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaShape {
    /// No schema.
    Absent,
    /// Raw bytes (`format: binary`).
    Binary,
    /// A string that is not bytes.
    String,
    /// Anything else: an object, an array, a number, a union…
    Structured,
}

impl SchemaShape {
    /// The shape of a (resolved) schema object.
    pub fn of(schema: Option<&Map<String, Value>>) -> SchemaShape {
        match schema {
            None => SchemaShape::Absent,
            Some(s) if is_binary(s) => SchemaShape::Binary,
            Some(s) if s.get("type").and_then(Value::as_str) == Some("string") => SchemaShape::String,
            Some(_) => SchemaShape::Structured,
        }
    }
}

impl MediaKind {
    /// What a media type is. The schema decides for wildcards (JSON unless it is bytes or
    /// absent) and for JSON Lines types (NDJSON and its relatives) whose `schema` describes the
    /// whole body as a string: bytes or text of that type, not one JSON value.
    pub fn of(media: &str, schema: SchemaShape) -> MediaKind {
        let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let lines = stream_format(&essence) == Some(crate::ir::StreamFormat::JsonLines);
        match essence.as_str() {
            "*/*" | "application/*" if matches!(schema, SchemaShape::String | SchemaShape::Structured) => MediaKind::Json,
            _ if lines && schema == SchemaShape::Binary => MediaKind::Binary,
            _ if lines && schema == SchemaShape::String => MediaKind::Text,
            e if e.contains("json") => MediaKind::Json,
            "multipart/form-data" => MediaKind::Multipart,
            "application/x-www-form-urlencoded" => MediaKind::Form,
            e if e.starts_with("text/") => MediaKind::Text,
            _ => MediaKind::Binary,
        }
    }
}

/// The media type a generated method sends or reads, and how: JSON first (as
/// [`pick_json`] chooses among the types that are JSON for their schema), then multipart,
/// form, binary and text; within a kind the first by name. `shape` gives the shape of a media
/// type's schema.
pub fn pick(content: &Map<String, Value>, shape: impl Fn(&str) -> SchemaShape) -> Option<(String, MediaKind)> {
    // The JSON types by name only: their schemas are not copied.
    let json: Vec<&String> = content.keys().filter(|k| MediaKind::of(k, shape(k)) == MediaKind::Json).collect();
    if let Some(media) = pick_json(&json) {
        return Some((media.clone(), MediaKind::Json));
    }
    content
        .keys()
        .map(|k| (MediaKind::of(k, shape(k)), k))
        .min()
        .map(|(kind, k)| (k.clone(), kind))
}

/// How a media type frames a stream of items, for one that does: JSON Lines and its
/// relatives (NDJSON, JSON text sequences), or server-sent events.
pub fn stream_format(media: &str) -> Option<crate::ir::StreamFormat> {
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/jsonl"
        | "application/x-jsonl"
        | "application/jsonlines"
        | "application/x-jsonlines"
        | "application/x-ndjson"
        | "application/ndjson"
        | "application/json-seq" => Some(crate::ir::StreamFormat::JsonLines),
        "text/event-stream" => Some(crate::ir::StreamFormat::EventStream),
        _ => None,
    }
}

/// True for a schema of raw bytes: `format: binary` (on a string, or with no type).
pub fn is_binary(schema: &Map<String, Value>) -> bool {
    schema.get("format").and_then(Value::as_str) == Some("binary")
        && schema.get("type").and_then(Value::as_str).is_none_or(|t| t == "string")
}

/// A media type the generated code may send as a `Content-Type` as it is: one concrete type
/// (no wildcard, no list) in printable ASCII. Anything else is replaced by the kind's default.
pub fn sendable(media: &str) -> bool {
    !media.is_empty() && media.contains('/') && !media.contains(['*', ',']) && media.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// A media type (or range, `image/*`) an `Accept` header may list as it is: printable ASCII
/// with a `/`, no list separator.
pub fn acceptable(media: &str) -> bool {
    media.contains('/') && !media.contains(',') && media.bytes().all(|b| (0x20..0x7f).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(keys: &[&str]) -> Map<String, Value> {
        keys.iter().map(|k| (k.to_string(), Value::Null)).collect()
    }

    #[test]
    fn media_kinds() {
        use SchemaShape::*;
        assert_eq!(MediaKind::of("application/problem+json", Absent), MediaKind::Json);
        assert_eq!(MediaKind::of("*/*", Structured), MediaKind::Json);
        assert_eq!(MediaKind::of("application/*", Binary), MediaKind::Binary);
        assert_eq!(MediaKind::of("application/*", Absent), MediaKind::Binary);
        assert_eq!(MediaKind::of("Multipart/Form-Data; boundary=x", Absent), MediaKind::Multipart);
        assert_eq!(MediaKind::of("application/x-www-form-urlencoded", Absent), MediaKind::Form);
        assert_eq!(MediaKind::of("text/csv", Absent), MediaKind::Text);
        assert_eq!(MediaKind::of("image/*", Absent), MediaKind::Binary);
        assert_eq!(MediaKind::of("string", Absent), MediaKind::Binary);
        // JSON Lines: a body described as one string is bytes or text of that type.
        assert_eq!(MediaKind::of("application/x-ndjson", Binary), MediaKind::Binary);
        assert_eq!(MediaKind::of("application/jsonl", String), MediaKind::Text);
        assert_eq!(MediaKind::of("application/x-ndjson", Structured), MediaKind::Json);
        // Plain JSON stays JSON whatever its schema says.
        assert_eq!(MediaKind::of("application/json", Binary), MediaKind::Json);
    }

    #[test]
    fn json_first_then_multipart_form_binary_text() {
        let pick_of = |keys: &[&str], shape: SchemaShape| pick(&content(keys), |_| shape);
        assert_eq!(pick_of(&["text/plain", "application/json"], SchemaShape::Absent), Some(("application/json".into(), MediaKind::Json)));
        assert_eq!(pick_of(&["text/plain", "*/*"], SchemaShape::Structured), Some(("*/*".into(), MediaKind::Json)));
        assert_eq!(pick_of(&["text/javascript", "multipart/form-data", "application/javascript"], SchemaShape::Absent), Some(("multipart/form-data".into(), MediaKind::Multipart)));
        assert_eq!(pick_of(&["text/plain", "application/octet-stream"], SchemaShape::Absent), Some(("application/octet-stream".into(), MediaKind::Binary)));
        assert_eq!(pick_of(&[], SchemaShape::Absent), None);
        // An NDJSON export described as a string is text beside the other text types.
        assert_eq!(pick_of(&["application/x-ndjson", "text/csv"], SchemaShape::String), Some(("application/x-ndjson".into(), MediaKind::Text)));
        assert_eq!(pick_of(&["application/x-ndjson"], SchemaShape::Binary), Some(("application/x-ndjson".into(), MediaKind::Binary)));
    }

    #[test]
    fn only_one_printable_concrete_type_is_sent() {
        assert!(sendable("application/pdf"));
        assert!(!sendable("image/*"));
        assert!(!sendable("image/png, image/jpeg"));
        assert!(!sendable("text/x\nevil: 1"));
        assert!(!sendable("string"));
    }
}
