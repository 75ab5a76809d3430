//! The version a document declares, read before anything else: it decides how the document is
//! validated (openapiv3's model for 3.0, our own checks for 2.0, 3.1 and 3.2) and whether it is
//! converted or normalized to the 3.0 shape later stages read.

use serde_json::Value;

use super::LoadError;

/// The OpenAPI versions this generator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// Swagger 2.0: checked, then converted to the 3.0 shape.
    V20,
    /// OpenAPI 3.0.x: read as written, validated against openapiv3's model.
    V30,
    /// OpenAPI 3.1.x (JSON Schema 2020-12): checked, then normalized to the 3.0 shape.
    V31,
    /// OpenAPI 3.2.x: as 3.1, plus the `query` method, `additionalOperations` and the rest of
    /// what 3.2 adds.
    V32,
}

impl Version {
    /// `2.0`, `3.0`, `3.1` or `3.2`, as messages name it.
    pub fn label(self) -> &'static str {
        match self {
            Version::V20 => "2.0",
            Version::V30 => "3.0",
            Version::V31 => "3.1",
            Version::V32 => "3.2",
        }
    }

    /// The specification and its version: `Swagger 2.0`, `OpenAPI 3.1`, …
    pub fn title(self) -> &'static str {
        match self {
            Version::V20 => "Swagger 2.0",
            Version::V30 => "OpenAPI 3.0",
            Version::V31 => "OpenAPI 3.1",
            Version::V32 => "OpenAPI 3.2",
        }
    }
}

/// Longest version string quoted back in a message; a longer one is cut.
const MAX_SHOWN: usize = 64;

fn shown_version(s: &str) -> String {
    match s.char_indices().nth(MAX_SHOWN) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The document's version, or the refusal that names what it is instead.
pub fn detect(file: &str, raw: &Value) -> Result<Version, LoadError> {
    let file = file.to_string();
    if let Some(v) = raw.get("swagger") {
        return match v {
            Value::String(s) if s == "2.0" => Ok(Version::V20),
            Value::String(s) => Err(LoadError::UnsupportedVersion { file, version: format!("Swagger {}", shown_version(s)) }),
            other => Err(LoadError::VersionNotString { file, member: "swagger", example: "2.0", found: super::json_kind(other), written: shown_version(&other.to_string()) }),
        };
    }
    let Some(v) = raw.get("openapi") else {
        return Err(LoadError::MissingVersion { file });
    };
    let Value::String(text) = v else {
        return Err(LoadError::VersionNotString { file, member: "openapi", example: "3.1.0", found: super::json_kind(v), written: shown_version(&v.to_string()) });
    };
    parse(text).ok_or_else(|| LoadError::UnsupportedVersion { file, version: shown_version(text) })
}

/// `3.0`, `3.0.N`, `3.1.N`, `3.2.N` (a 3.0 patch may carry a suffix, as openapiv3 accepted).
fn parse(text: &str) -> Option<Version> {
    let rest = text.strip_prefix("3.")?;
    let (minor, patch) = match rest.split_once('.') {
        Some((m, p)) => (m, Some(p)),
        None => (rest, None),
    };
    let version = match minor {
        "0" => Version::V30,
        "1" => Version::V31,
        "2" => Version::V32,
        _ => return None,
    };
    match patch {
        None => Some(version),
        Some(p) if version == Version::V30 && p.starts_with(|c: char| c.is_ascii_digit()) => Some(version),
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(version),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions() {
        assert_eq!(parse("3.0.3"), Some(Version::V30));
        assert_eq!(parse("3.0"), Some(Version::V30));
        assert_eq!(parse("3.1.0"), Some(Version::V31));
        assert_eq!(parse("3.1.1"), Some(Version::V31));
        assert_eq!(parse("3.2.0"), Some(Version::V32));
        assert_eq!(parse("3.3.0"), None);
        assert_eq!(parse("4.0.0"), None);
        assert_eq!(parse("3.1.x"), None);
        assert_eq!(parse("3.10.0"), None);
    }

    #[test]
    fn refusals_say_what_the_document_is() {
        assert_eq!(detect("a.yaml", &json!({"swagger": "2.0"})).unwrap(), Version::V20);
        let e = detect("a.yaml", &json!({"swagger": 2.0})).unwrap_err().to_string();
        assert!(e.contains("`swagger` is a number") && e.contains("quote"), "{e}");
        let e = detect("a.yaml", &json!({"swagger": "1.2"})).unwrap_err().to_string();
        assert!(e.contains("Swagger 1.2") && e.contains("not supported"), "{e}");
        let e = detect("a.yaml", &json!({"openapi": "4.0.0"})).unwrap_err().to_string();
        assert!(e.contains("4.0.0") && e.contains("3.1"), "{e}");
        let e = detect("a.yaml", &json!({"openapi": 3.1})).unwrap_err().to_string();
        assert!(e.contains("a number") && e.contains("quote"), "{e}");
        let long = "3.".repeat(10_000);
        let e = detect("a.yaml", &json!({"openapi": long})).unwrap_err().to_string();
        assert!(e.len() < 400, "{e}");
    }
}
