//! JSON pointers: building them, following them, and finding the line they point at.

use serde_json::Value;

/// Escapes one reference token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

/// Unescapes one reference token.
pub fn unescape_token(token: &str) -> String {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~")
    } else {
        token.to_string()
    }
}

/// Appends a token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    out.push_str(&escape_token(token));
    out
}

/// Follows a pointer (`/a/b/0`); `""` and `"/"` are the root.
pub fn get<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() || pointer == "/" {
        return Some(root);
    }
    root.pointer(pointer)
}

/// The 1-based line where the node named by `pointer` starts, found by walking the source text
/// key by key. Works for YAML and for pretty-printed JSON; for one-line JSON it answers line 1.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let mut pos = 0usize;
    for token in pointer.split('/').skip(1) {
        let key = unescape_token(token);
        if key.chars().all(|c| c.is_ascii_digit()) && !key.is_empty() {
            // An array index (or a numeric key): look for the key form first, else stay put.
            if let Some(p) = find_key(text, pos, &key) {
                pos = p;
            }
            continue;
        }
        pos = find_key(text, pos, &key)?;
    }
    Some(text[..pos].bytes().filter(|b| *b == b'\n').count() + 1)
}

fn find_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let candidates = [
        format!("\"{key}\":"),
        format!("\"{key}\" :"),
        format!("'{key}':"),
        format!("{key}:"),
    ];
    candidates
        .iter()
        .filter_map(|c| {
            let mut start = from;
            while let Some(i) = text[start..].find(c.as_str()) {
                let at = start + i;
                // The unquoted YAML form must start a key: preceded by indentation or `- `.
                if !c.starts_with(['"', '\'']) {
                    let before = text[..at].chars().next_back();
                    if !matches!(before, None | Some(' ') | Some('\n') | Some('{') | Some(',')) {
                        start = at + c.len();
                        continue;
                    }
                }
                return Some(at);
            }
            None
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_yaml_and_json_lines() {
        let yaml = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses: {}\n";
        assert_eq!(line_of(yaml, "/paths/~1a/get/responses"), Some(5));
        let json = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {}\n    }\n  }\n}";
        assert_eq!(line_of(json, "/paths/~1a/get"), Some(4));
        assert_eq!(line_of(json, "/paths/~1b"), None);
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
    }
}
