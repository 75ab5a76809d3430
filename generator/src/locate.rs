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

/// The first place at or after `from` where `key` is written as a mapping key: `"key":`,
/// `"key" :`, `'key':`, or `key:` starting a YAML key (after indentation, `{` or `,`).
/// Answers the position of the opening quote, or of the key when unquoted.
///
/// One forward scan for the key's text, checking the characters around each hit: a lookup
/// costs the distance to its match (searching for each form apart would scan to the end of
/// the text for every form the document does not use).
fn find_key(text: &str, from: usize, key: &str) -> Option<usize> {
    if key.is_empty() {
        return find_form(text, from, "");
    }
    let bytes = text.as_bytes();
    let mut start = from;
    while let Some(i) = text.get(start..)?.find(key) {
        let at = start + i;
        let end = at + key.len();
        let after = |k: usize| bytes.get(end + k).copied();
        match at.checked_sub(1).map(|b| bytes[b]) {
            Some(b'"')
                if after(0) == Some(b'"')
                    && (after(1) == Some(b':') || (after(1) == Some(b' ') && after(2) == Some(b':'))) =>
            {
                return Some(at - 1)
            }
            Some(b'\'') if after(0) == Some(b'\'') && after(1) == Some(b':') => return Some(at - 1),
            None | Some(b' ' | b'\n' | b'{' | b',') if after(0) == Some(b':') => return Some(at),
            _ => {}
        }
        start = at + key.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// [`find_key`] for the empty key, one written form at a time.
fn find_form(text: &str, from: usize, key: &str) -> Option<usize> {
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
    fn one_scan_finds_what_searching_each_form_finds() {
        let texts = [
            "a: name\nb:\n  \"name\" : 1\n  x-name: 2\n  name: 3\n",
            "x: [name]\ny:\n  'name': 1\n  - name: 2\n",
            "{\"k\": \"name: v\",\n\"name\":{\"id\": 1, \"idx\": {\"id\" :2}}, \"\": 3}",
            "paths:\n  /a/{id}:\n    get:\n      parameters:\n        - name: id\n          in: path\n",
            "é: 1\nnamé:\n  é: 2\n",
        ];
        let keys = ["name", "id", "idx", "k", "é", "namé", "/a/{id}", "get", "in", "missing"];
        for text in texts {
            for key in keys {
                for from in [0, 3, 10] {
                    if text.is_char_boundary(from) {
                        assert_eq!(find_key(text, from, key), find_form(text, from, key), "{key:?} from {from} in {text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
    }
}
