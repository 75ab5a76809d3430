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
/// the place of the token before it. An index into an array written after its key (a YAML
/// block sequence, or a `[…]` list) is the place of that element (see [`element_start`]); any
/// other numeric token is looked up as a key, and when it is not written as one keeps the place
/// of its parent.
pub fn lines_of(text: &str, pointers: &[&str]) -> Vec<Option<usize>> {
    let tokens: Vec<Vec<String>> = pointers.iter().map(|p| p.split('/').skip(1).map(unescape_token).collect()).collect();
    let wanted: HashSet<&str> = tokens.iter().flatten().map(String::as_str).collect();
    let index = KeyIndex::new(text, &wanted);
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    let mut budget = element_scan_budget(text);
    tokens
        .iter()
        .map(|tokens| {
            let pos = walk(text, tokens, &mut budget, |key, from| index.find(key, from))?;
            Some(newlines.partition_point(|n| *n < pos) + 1)
        })
        .collect()
}

/// The place a pointer's tokens lead to, looking each key up with `find` (at or after a place).
fn walk(text: &str, tokens: &[String], budget: &mut usize, find: impl Fn(&str, usize) -> Option<usize>) -> Option<usize> {
    let mut pos = 0usize;
    // The key written at `pos`, when `pos` is a key's place.
    let mut at_key: Option<&str> = None;
    for key in tokens {
        let numeric = !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit());
        if numeric {
            let element = at_key.zip(key.parse::<usize>().ok()).and_then(|(k, n)| element_start(text, pos, k, n, budget));
            if let Some(p) = element {
                pos = p;
                at_key = None;
                continue;
            }
        }
        match find(key, pos) {
            Some(p) => {
                pos = p;
                at_key = Some(key);
            }
            // A numeric token that is neither an element nor written as a key: stay put.
            None if numeric => at_key = None,
            None => return None,
        }
    }
    Some(pos)
}

/// How many bytes [`element_start`] may scan for all the pointers of one [`lines_of`] call:
/// twice the text, so locating stays linear in its size however many pointers name elements
/// of long arrays (beyond it, an element keeps the place of its array).
fn element_scan_budget(text: &str) -> usize {
    text.len().saturating_mul(2).max(1 << 16)
}

/// Where element `n` of the array written as the value of `key` (found at `key_at`: the key, or
/// its opening quote) starts: a YAML block sequence (`- ` items on the lines below, at one
/// indentation) or a flow / JSON list (`[a, {…}, …]`, strings skipped). `None` when the value is
/// written otherwise, has fewer elements, or the scan would pass `budget`.
fn element_start(text: &str, key_at: usize, key: &str, n: usize, budget: &mut usize) -> Option<usize> {
    let b = text.as_bytes();
    // The colon after the key.
    let mut i = match b.get(key_at)? {
        q @ (b'"' | b'\'') => {
            let close = key_at + 1 + key.len();
            (b.get(close)? == q).then_some(close + 1)?
        }
        _ => key_at + key.len(),
    };
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match b.get(i) {
        Some(b'[') => flow_element(b, i, n, budget),
        Some(b'\n' | b'\r' | b'#') => block_element(b, i, n, budget),
        _ => None,
    }
}

/// Element `n` of the `[` list opening at `open`.
fn flow_element(b: &[u8], open: usize, n: usize, budget: &mut usize) -> Option<usize> {
    let start_of = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        (b.get(i).is_some_and(|c| !matches!(c, b']' | b','))).then_some(i)
    };
    if n == 0 {
        return start_of(open + 1);
    }
    let (mut depth, mut commas, mut i) = (0usize, 0usize, open);
    while i < b.len() {
        *budget = budget.checked_sub(1)?;
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
            }
            b',' if depth == 1 => {
                commas += 1;
                if commas == n {
                    return start_of(i + 1);
                }
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if q == b'"' && b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Element `n` of the YAML block sequence on the lines after `from` (the end of its key's line).
fn block_element(b: &[u8], from: usize, n: usize, budget: &mut usize) -> Option<usize> {
    let mut line = from + b[from..].iter().position(|c| *c == b'\n')? + 1;
    let mut indent: Option<usize> = None;
    let mut seen = 0usize;
    while line < b.len() {
        let end = b[line..].iter().position(|c| *c == b'\n').map_or(b.len(), |e| line + e);
        *budget = budget.checked_sub(end - line + 1)?;
        let text = &b[line..end];
        let spaces = text.iter().take_while(|c| **c == b' ').count();
        let rest = &text[spaces..];
        let item = rest.first() == Some(&b'-') && matches!(rest.get(1), None | Some(b' ' | b'\r'));
        let blank = rest.is_empty() || rest == b"\r" || rest[0] == b'#';
        if !blank {
            match indent {
                None if item => indent = Some(spaces),
                None => return None,
                Some(i) if spaces < i || (spaces == i && !item) => return None,
                Some(i) if spaces == i => seen += 1,
                Some(_) => {}
            }
            if item && indent == Some(spaces) && seen == n {
                return Some(line + spaces);
            }
        }
        line = end + 1;
    }
    None
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
        let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape_token).collect();
        let pos = walk(text, &tokens, &mut element_scan_budget(text), |key, from| find_form(text, from, key))?;
        Some(text[..pos].matches('\n').count() + 1)
    }

    #[test]
    fn array_elements_have_their_own_lines() {
        let yaml = "servers:\n- url: a\n  variables:\n    v: {enum: [x, y]}\n# note\n\n- url: b\nlist:\n  - [1, 2]\n  - \"q, [\"\n  -\n    url: c\nflow: [\"a,]\", {url: d}, 'e''s']\n";
        for (pointer, line) in [
            ("/servers/0/url", Some(2)),
            ("/servers/1/url", Some(7)),
            ("/list/1", Some(10)),
            ("/list/2/url", Some(12)),
            ("/flow/1/url", Some(13)),
            ("/flow/2", Some(13)),
        ] {
            assert_eq!(line_of(yaml, pointer), line, "{pointer}");
        }
        let json = serde_json::to_string_pretty(&serde_json::json!({"servers": [{"url": "a,[b"}, {"url": "c"}], "s": {"0": {"url": "d"}}})).unwrap();
        assert_eq!(line_of(&json, "/servers/1/url"), Some(7));
        assert_eq!(line_of(&json, "/s/0/url"), Some(12), "a numeric key stays a key");
        // Past the scan budget an element keeps the place of its array.
        let tokens: Vec<String> = ["servers", "1", "url"].map(String::from).to_vec();
        let pos = walk(yaml, &tokens, &mut 10, |key, from| find_form(yaml, from, key)).unwrap();
        assert_eq!(yaml[..pos].matches('\n').count() + 1, 2);
        // One-line JSON still answers line 1.
        assert_eq!(line_of(r#"{"servers":[{"url":"a"},{"url":"b"}]}"#, "/servers/1/url"), Some(1));
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
