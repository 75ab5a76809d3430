//! The crate's identity (name, version, license, …) from the configuration and `info`, and the
//! check that `Cargo.toml` and Rust can carry it.

use serde_json::Value;

use super::BuildError;
use crate::config::Config;
use crate::ir::CrateMeta;
use crate::load::Document;
use crate::naming::{is_ascii_ident, snake};

/// `document_url` is the default base URL the document's servers give, if any (see `servers`).
pub(super) fn crate_meta(doc: &Document, cfg: &Config, crate_name: &str, document_url: Option<String>) -> CrateMeta {
    let info = doc.raw.get("info");
    let info_str = |k: &str| {
        info.and_then(|i| i.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let title = info_str("title");
    let k = &cfg.krate;
    let crate_name = k.name.clone().unwrap_or_else(|| crate_name.to_string());
    let base_url = k.base_url.clone().or(document_url);
    CrateMeta {
        lib_name: crate_name.replace('-', "_"),
        version: k.version.clone().unwrap_or_else(|| "0.1.0".into()),
        // A carriage return is a line break (a file written on Windows, a quoted `\r\n`).
        description: k.description.as_deref().map(|d| d.replace("\r\n", "\n").replace('\r', "\n")).unwrap_or_else(|| {
            let title = one_line(&title);
            format!("Async Rust client for {}", if title.is_empty() { "an HTTP API" } else { &title })
        }),
        license: k.license.clone().unwrap_or_else(|| "MIT OR Apache-2.0".into()),
        api_version: info_str("version"),
        base_url,
        env_prefix: k
            .env_prefix
            .clone()
            .unwrap_or_else(|| snake(&crate_name).to_uppercase()),
        idempotency_header: k.idempotency_header.clone(),
        api_name: api_name(&title),
        request_id_headers: request_id_headers(&doc.raw, k.request_id_header.as_deref()),
        contract: cfg.tests.contract.then(|| crate::ir::Contract { spec: cfg.tests.spec.clone() }),
        title,
        crate_name,
    }
}

/// Response headers that commonly carry a server's request id, in the order they are tried when
/// neither the configuration nor the document names one. Only these names reach the code from a
/// document, so a document cannot put text of its own there. (Cloudflare's `cf-ray` is not
/// among them: it is on every response of any site behind Cloudflare, not the API's own id;
/// Cloudflare's crates configure it.)
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-ms-request-id",
    "x-github-request-id",
    "twilio-request-id",
];

/// The configured request-id header first, then the common ones the document's responses
/// declare (in the order above), then the remaining common ones.
fn request_id_headers(raw: &Value, configured: Option<&str>) -> Vec<String> {
    let mut declared = std::collections::BTreeSet::new();
    let mut note = |headers: Option<&Value>| {
        for name in headers.and_then(Value::as_object).into_iter().flat_map(|h| h.keys()) {
            let lower = name.to_ascii_lowercase();
            if let Some(known) = REQUEST_ID_HEADERS.iter().find(|k| **k == lower) {
                declared.insert(*known);
            }
        }
    };
    fn responses(r: Option<&Value>) -> impl Iterator<Item = &Value> {
        r.and_then(Value::as_object).into_iter().flat_map(|r| r.values())
    }
    let paths = raw.get("paths").and_then(Value::as_object).into_iter().flatten();
    for item in paths.filter(|(k, _)| crate::spec::paths::is_path(k)).map(|(_, v)| v) {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            for resp in responses(op.get("responses")) {
                note(resp.get("headers"));
            }
        }
    }
    // (`components/headers` is keyed by component names, not header names.)
    let components = raw.get("components");
    for resp in responses(components.and_then(|c| c.get("responses"))) {
        note(resp.get("headers"));
    }
    let mut out: Vec<String> = configured.map(str::to_ascii_lowercase).into_iter().collect();
    let known = REQUEST_ID_HEADERS.iter().filter(|h| declared.contains(*h));
    for h in known.chain(REQUEST_ID_HEADERS.iter().filter(|h| !declared.contains(*h))) {
        if !out.iter().any(|o| o == h) {
            out.push((*h).to_string());
        }
    }
    out
}

/// Longest API name an error message carries, in characters.
const MAX_API_NAME: usize = 60;

/// What error messages call the API: the title on one line without control, format or
/// bidirectional characters, cut at a word to a readable length, with ` API` added unless it
/// ends so (`Stripe API`, `Twilio - Messaging API`); `API` for an empty title.
fn api_name(title: &str) -> String {
    let visible: String = title.chars().map(|c| if crate::escape::is_hidden(c) || crate::escape::is_format(c) { ' ' } else { c }).collect();
    let line = one_line(&visible);
    let mut clean: String = line.chars().take(MAX_API_NAME).collect();
    if clean.len() < line.len() {
        if let Some(space) = clean.rfind(' ') {
            clean.truncate(space);
        }
    }
    let clean = clean.trim();
    let ends_with_api = clean.rsplit(' ').next().is_some_and(|w| w.eq_ignore_ascii_case("api"));
    match clean {
        "" => "API".to_string(),
        _ if ends_with_api => clean.to_string(),
        _ => format!("{clean} API"),
    }
}

/// Refuses crate identity values that `Cargo.toml` or Rust cannot carry: a crate name that is
/// not a valid package and library name, a version that is not semver, a license with hidden
/// characters, an environment prefix that is not a variable name, a configured description with
/// control characters. (Free text is otherwise escaped: the description, the base URL.)
pub(super) fn check_crate_identity(meta: &CrateMeta, cfg: &Config) -> Result<(), BuildError> {
    let from_config = |set: bool, key: &'static str, fallback: &'static str| if set { key } else { fallback };
    let k = &cfg.krate;
    let err = |key: &'static str, value: &str, reason: &'static str| {
        let (place, fix) = match key.strip_prefix("crate.") {
            Some(member) if !cfg.file.is_empty() => {
                let place = match cfg.line_of(&["crate", member]) {
                    Some(line) => format!("{}:{line}", cfg.file),
                    None => cfg.file.clone(),
                };
                (place, format!("in {}", cfg.file))
            }
            _ => (key.to_string(), format!("with {key}")),
        };
        BuildError::CrateIdentity { place, key, value: crate::escape::rust_str(value), reason, fix }
    };
    let name_key = from_config(k.name.is_some(), "crate.name", "--name");
    let name = &meta.crate_name;
    // `-` becomes `_` in the library name, which must be an identifier.
    let valid_name = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && is_ascii_ident(&name.replace('-', "_"))
        && !crate::naming::is_keyword(&meta.lib_name);
    if !valid_name {
        return Err(err(name_key, name, "a crate name is 1 to 64 ASCII letters, digits, `-` and `_`, starts with a letter and is not a Rust keyword"));
    }
    if !is_semver(&meta.version) {
        return Err(err("crate.version", &meta.version, "a crate version is semver, such as `1.2.3` or `0.1.0-beta.1`"));
    }
    // Cargo hands the description to rustc in an environment variable, which cannot hold NUL;
    // other control characters have no place in a package summary either.
    if k.description.is_some() && meta.description.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(err("crate.description", &meta.description, "a description is text without control characters other than line breaks and tabs"));
    }
    if meta.license.chars().any(|c| c.is_control() || crate::escape::is_hidden(c)) {
        return Err(err("crate.license", &meta.license, "a license is one line of visible text, such as `MIT OR Apache-2.0`"));
    }
    let prefix = &meta.env_prefix;
    if !is_ascii_ident(prefix) {
        let key = from_config(k.env_prefix.is_some(), "crate.env_prefix", "crate.name");
        return Err(err(key, prefix, "an environment variable prefix is ASCII letters, digits and `_`, not starting with a digit"));
    }
    Ok(())
}

/// A title as one line of a package summary: every run of whitespace and control characters
/// (NUL and line breaks included) becomes one space.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `MAJOR.MINOR.PATCH`, optionally `-pre.release` and `+build`, as cargo requires.
fn is_semver(v: &str) -> bool {
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| number(p))
        && pre.is_none_or(|p| p.split('.').all(ident))
        && build.is_none_or(|b| b.split('.').all(ident))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_read_as_a_name_on_one_line() {
        assert_eq!(api_name("Stripe API"), "Stripe API");
        assert_eq!(api_name("Twilio - Messaging"), "Twilio - Messaging API");
        assert_eq!(api_name("  "), "API");
        assert_eq!(api_name("Evil\n\u{202e}Name\u{7}\"}"), "Evil Name \"} API");
        assert_eq!(api_name("a\u{61c}b\u{2060}c\u{e0041}d\u{ad}e"), "a b c d e API");
        assert_eq!(api_name(&"x".repeat(500)).chars().count(), MAX_API_NAME + 4);
        let long = "word ".repeat(30);
        let name = api_name(&long);
        assert!(name.ends_with("word API") && name.len() <= MAX_API_NAME + 4, "{name}");
    }

    fn headers_of(doc: serde_json::Value, configured: Option<&str>) -> Vec<String> {
        request_id_headers(&doc, configured)
    }

    #[test]
    fn request_id_headers_put_the_configured_then_the_declared_first() {
        let doc = serde_json::json!({"paths": {"/a": {"get": {"responses": {"200": {
            "headers": {"X-GitHub-Request-Id": {}, "X-Evil\"); panic!(\"": {}}}}}}}});
        let got = headers_of(doc.clone(), None);
        assert_eq!(got[0], "x-github-request-id");
        assert_eq!(got.len(), REQUEST_ID_HEADERS.len(), "a header the list does not know is not taken: {got:?}");
        let got = headers_of(doc, Some("CF-Ray"));
        assert_eq!(&got[..2], ["cf-ray", "x-github-request-id"]);
        assert_eq!(got.len(), REQUEST_ID_HEADERS.len() + 1);
        assert_eq!(headers_of(serde_json::json!({}), None), REQUEST_ID_HEADERS);
    }
}
