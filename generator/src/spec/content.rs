//! Bodies: content negotiation, the response a method returns, Cloudflare envelopes and paging.

use serde_json::{Map, Value};

use super::paths::Param;
use super::schema::Props;

/// The JSON media type of a content map, preferring `application/json`, else the first (by
/// name) whose name mentions `json`.
pub fn pick_json(content: &Map<String, Value>) -> Option<String> {
    if content.contains_key("application/json") {
        return Some("application/json".into());
    }
    content.keys().filter(|k| k.contains("json")).min().cloned()
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

/// Page-number paging: an envelope with `result_info` around a list, for an operation that
/// takes `page` and `per_page` in the query.
pub fn is_paged(envelope: &Props, params: &[Param]) -> bool {
    let query_has = |n: &str| params.iter().any(|p| p.name == n && p.location == "query");
    envelope.has("result_info") && query_has("page") && query_has("per_page")
}
