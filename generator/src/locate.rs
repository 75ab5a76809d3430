//! JSON pointers: building them, following them, and finding the line they point at.

use std::collections::{HashMap, HashSet};

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
/// One pass over the text; to locate many pointers, use [`lines_of`].
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    lines_of(text, &[pointer]).pop().flatten()
}

/// [`line_of`] for many pointers at once, in time linear in the text and the pointers: the
/// places where their keys are written are indexed in one pass, then each pointer is walked
/// through the index.
///
/// A key counts where it is written as a mapping key: `"key":`, `"key" :`, `'key':`, or `key:`
/// starting after indentation, a space, `{` or `,`. Each pointer token is looked up at or after
/// the place of the token before it; an array index that is not written as a key keeps the
/// place of its parent.
pub fn lines_of(text: &str, pointers: &[&str]) -> Vec<Option<usize>> {
    let tokens: Vec<Vec<String>> = pointers.iter().map(|p| p.split('/').skip(1).map(unescape_token).collect()).collect();
    let wanted: HashSet<&str> = tokens.iter().flatten().map(String::as_str).collect();
    let index = KeyIndex::new(text, &wanted);
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    tokens
        .iter()
        .map(|tokens| {
            let mut pos = 0usize;
            for key in tokens {
                match index.find(key, pos) {
                    Some(p) => pos = p,
                    // An array index (or a numeric key) that is not written as a key: stay put.
                    None if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) => {}
                    None => return None,
                }
            }
            Some(newlines.partition_point(|n| *n < pos) + 1)
        })
        .collect()
}

/// Where each wanted key is written as a mapping key: key text → (offset of the key text,
/// offset answered: the opening quote, or the key itself when unquoted), by offset.
struct KeyIndex<'t> {
    keys: HashMap<&'t str, Vec<(usize, usize)>>,
}

impl<'t> KeyIndex<'t> {
    /// Looks at every `:` once, and at the text before it back to the previous `:` (or quote,
    /// for a quoted key) at most, so the pass is linear in the text.
    fn new(text: &'t str, wanted: &HashSet<&str>) -> Self {
        let b = text.as_bytes();
        let mut keys: HashMap<&'t str, Vec<(usize, usize)>> = HashMap::new();
        let mut add = |key: &'t str, at: usize, answer: usize| {
            if wanted.contains(key) {
                keys.entry(key).or_default().push((at, answer));
            }
        };
        let mut prev_colon: Option<usize> = None;
        for c in memchr_iter(b, b':') {
            let quote_at = match (c.checked_sub(1).map(|i| b[i]), c.checked_sub(2).map(|i| b[i])) {
                (Some(b'"'), _) => Some((c - 1, b'"')),
                (Some(b' '), Some(b'"')) => Some((c - 2, b'"')),
                (Some(b'\''), _) => Some((c - 1, b'\'')),
                _ => None,
            };
            if let Some((close, q)) = quote_at {
                if let Some(open) = b[..close].iter().rposition(|x| *x == q) {
                    if let Some(key) = text.get(open + 1..close) {
                        add(key, open + 1, open);
                    }
                }
            }
            if quote_at.is_none() {
                // Unquoted: the key may start after any of the nearest spaces, `{` or `,` (keys
                // hold braces: `/a/{id}:`), or at the line's first character (keys with spaces).
                let lo = prev_colon.map_or(0, |p| p + 1).max(c.saturating_sub(MAX_UNQUOTED_KEY));
                let mut starts: Vec<usize> = Vec::new();
                let mut line_start = (lo == 0).then_some(0);
                for i in (lo..c).rev() {
                    match b[i] {
                        b'\n' => {
                            line_start = Some(i + 1);
                            break;
                        }
                        b' ' | b'{' | b',' if starts.len() < MAX_KEY_STARTS => starts.push(i + 1),
                        _ => {}
                    }
                }
                if let Some(l) = line_start {
                    starts.push(l);
                    starts.push(l + b[l..c].iter().take_while(|x| **x == b' ').count());
                }
                starts.sort_unstable();
                starts.dedup();
                for start in starts {
                    if let Some(key) = text.get(start..c) {
                        add(key, start, start);
                    }
                }
            }
            prev_colon = Some(c);
        }
        for v in keys.values_mut() {
            v.sort_unstable();
        }
        KeyIndex { keys }
    }

    /// The first place at or after `from` where `key` is written as a mapping key.
    fn find(&self, key: &str, from: usize) -> Option<usize> {
        let places = self.keys.get(key)?;
        let i = places.partition_point(|(at, _)| *at < from);
        places.get(i).map(|(_, answer)| *answer)
    }
}

/// How many places before a colon an unquoted key may start at (after a space, `{` or `,`).
const MAX_KEY_STARTS: usize = 8;

/// Unquoted keys longer than this are not indexed (they are not found, so no line is given).
const MAX_UNQUOTED_KEY: usize = 4096;

/// Offsets of `needle` in `haystack`.
fn memchr_iter(haystack: &[u8], needle: u8) -> impl Iterator<Item = usize> + '_ {
    haystack.iter().enumerate().filter(move |(_, b)| **b == needle).map(|(i, _)| i)
}

/// The first place at or after `from` where `key` is written as a mapping key, one written form
/// at a time: the plain reading of the rules [`lines_of`] indexes, kept to test it against.
#[cfg(test)]
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
    fn the_index_finds_what_searching_each_form_finds() {
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
                        let wanted = HashSet::from([key]);
                        let index = KeyIndex::new(text, &wanted);
                        assert_eq!(index.find(key, from), find_form(text, from, key), "{key:?} from {from} in {text:?}");
                    }
                }
            }
        }
    }

    /// The walk of [`lines_of`], searching the text for each token instead of indexing it.
    fn line_by_search(text: &str, pointer: &str) -> Option<usize> {
        let mut pos = 0usize;
        for token in pointer.split('/').skip(1) {
            let key = unescape_token(token);
            match find_form(text, pos, &key) {
                Some(p) => pos = p,
                None if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) => {}
                None => return None,
            }
        }
        Some(text[..pos].matches('\n').count() + 1)
    }

    /// Every node of the project's spec (YAML) and of a pretty-printed JSON copy is found on the
    /// line a search finds it on.
    #[test]
    fn every_pointer_of_the_spec_has_the_line_a_search_finds() {
        let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml")).unwrap();
        let value: Value = serde_yaml_ng::from_str(&yaml).unwrap();
        let json = serde_json::to_string_pretty(&value).unwrap();
        let mut pointers = Vec::new();
        let mut stack = vec![(String::new(), &value)];
        while let Some((p, v)) = stack.pop() {
            match v {
                Value::Object(m) => stack.extend(m.iter().map(|(k, v)| (join(&p, k), v))),
                Value::Array(a) => stack.extend(a.iter().enumerate().map(|(i, v)| (format!("{p}/{i}"), v))),
                _ => {}
            }
            pointers.push(p);
        }
        assert!(pointers.len() > 500);
        for text in [&yaml, &json] {
            let refs: Vec<&str> = pointers.iter().map(String::as_str).collect();
            let lines = lines_of(text, &refs);
            for (p, line) in pointers.iter().zip(lines) {
                assert_eq!(line, line_by_search(text, p), "{p}");
            }
        }
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
    }
}
