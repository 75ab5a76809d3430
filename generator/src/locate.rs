//! JSON pointers: building them, following them, and finding the line they point at.

use serde_json::Value;

mod lines;

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
    // One pass: `~1` is `/`, `~0` is `~`, any other `~` stays (as two `replace`s would leave it).
    let mut out = String::with_capacity(token.len());
    let mut rest = token;
    while let Some(i) = rest.find('~') {
        out.push_str(&rest[..i]);
        match rest.as_bytes().get(i + 1) {
            Some(b'1') => out.push('/'),
            Some(b'0') => out.push('~'),
            _ => {
                out.push('~');
                rest = &rest[i + 1..];
                continue;
            }
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Appends a token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    out.push_str(&escape_token(token));
    out
}

/// Follows a pointer (`/a/b/0`); `""` and `"/"` are the root. What `Value::pointer` answers,
/// without its two string copies per token: a token is unescaped only when it holds a `~`
/// (the generator and the diff follow millions of pointers on a whole API).
pub fn get<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() || pointer == "/" {
        return Some(root);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut node = root;
    for token in rest.split('/') {
        node = step(node, token)?;
    }
    Some(node)
}

/// One reference token (escaped, as a pointer holds it) followed from `node`: a member of an
/// object, or an element of an array by its index written without sign or leading zero.
pub fn step<'a>(node: &'a Value, token: &str) -> Option<&'a Value> {
    let token: std::borrow::Cow<'_, str> = if token.contains('~') { unescape_token(token).into() } else { token.into() };
    match node {
        Value::Object(map) => map.get(token.as_ref()),
        Value::Array(list) => {
            let t = token.as_ref();
            if t.starts_with('+') || (t.len() > 1 && t.starts_with('0')) {
                return None;
            }
            list.get(t.parse::<usize>().ok()?)
        }
        _ => None,
    }
}

/// The 1-based line where the node named by `pointer` is written: a mapping member on the line
/// of its key, an array element (and the root) where it starts, a node reached through a YAML
/// alias on the alias. `None` when the text has no such node. For one-line JSON it answers
/// line 1. One parse of the text; to locate many pointers, use [`lines_of`].
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    lines_of(text, &[pointer]).pop().flatten()
}

/// [`line_of`] for many pointers at once, in time linear in the text and the pointers: the
/// text is parsed once, keeping positions (YAML as events with their spans, JSON by a tokenizer
/// that counts lines), and only the parts of the tree some pointer names are followed.
///
/// Pointer tokens are unescaped (`~1` → `/`, `~0` → `~`) and compared with keys as the parser
/// reads them (quotes and escapes resolved); a numeric token names an array element or a key
/// written with those digits. A key written twice answers its last place, the value the parsed
/// tree keeps. Collections nested deeper than [`crate::limits::MAX_DOCUMENT_DEPTH`] are not
/// followed.
pub fn lines_of(text: &str, pointers: &[&str]) -> Vec<Option<usize>> {
    let mut trie = lines::Trie::new();
    let nodes: Vec<Option<u32>> = pointers.iter().map(|p| trie.insert(p)).collect();
    lines::find(text, &mut trie);
    nodes.into_iter().map(|n| n.and_then(|n| trie.line(n))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_answers_what_value_pointer_answers() {
        let doc = serde_json::json!({"a/b": {"~c": [1, {"": 2}]}, "x": [0, 1], "": {"0": 3}, "01": 4});
        for p in ["/a~1b", "/a~1b/~0c", "/a~1b/~0c/1/", "/a~1b/~0c/0", "/x/1", "/x/01", "/x/+1", "/x/-", "/x/2", "//0", "/01", "/x/1/y", "a", "/a~1b/~0c/1/", "/a~2b", "/~1"] {
            assert_eq!(get(&doc, p), doc.pointer(p), "{p}");
        }
        assert_eq!(get(&doc, ""), Some(&doc));
        assert_eq!(get(&doc, "/"), Some(&doc));
        for t in ["", "a", "~0", "~1", "~01", "~10", "~~1", "~2", "a~", "~", "x~0~1y", "~0~1~2~"] {
            assert_eq!(unescape_token(t), t.replace("~1", "/").replace("~0", "~"), "{t}");
        }
    }

    #[test]
    fn finds_yaml_and_json_lines() {
        let yaml = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses: {}\n";
        assert_eq!(line_of(yaml, "/paths/~1a/get/responses"), Some(5));
        let json = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {}\n    }\n  }\n}";
        assert_eq!(line_of(json, "/paths/~1a/get"), Some(4));
        assert_eq!(line_of(json, "/paths/~1b"), None);
    }

    #[test]
    fn array_elements_have_their_own_lines() {
        let yaml = "servers:\n- url: a\n  variables:\n    v: {enum: [x, y]}\n# note\n\n- url: b\nlist:\n  - [1, 2]\n  - \"q, [\"\n  -\n    url: c\nflow: [\"a,]\", {url: d}, 'e''s']\n";
        for (pointer, line) in [
            ("/servers/0/url", Some(2)),
            ("/servers/1/url", Some(7)),
            ("/servers/0/variables/v/enum/1", Some(4)),
            ("/list/1", Some(10)),
            ("/list/2/url", Some(12)),
            ("/flow/1/url", Some(13)),
            ("/flow/2", Some(13)),
            ("/flow/3", None),
            ("/servers/01", None),
        ] {
            assert_eq!(line_of(yaml, pointer), line, "{pointer}");
        }
        let json = serde_json::to_string_pretty(&serde_json::json!({"servers": [{"url": "a,[b"}, {"url": "c"}], "s": {"0": {"url": "d"}}})).unwrap();
        assert_eq!(line_of(&json, "/servers/1/url"), Some(7));
        assert_eq!(line_of(&json, "/s/0/url"), Some(12), "a numeric key stays a key");
        // One-line JSON answers line 1.
        assert_eq!(line_of(r#"{"servers":[{"url":"a"},{"url":"b"}]}"#, "/servers/1/url"), Some(1));
    }

    /// Texts where a key's words appear before the key itself, or where the key is written in a
    /// form a scan of the text does not read.
    #[test]
    fn keys_are_read_as_the_parser_reads_them() {
        // A key's text inside multi-line strings and a comment, before the real key.
        let yaml = "info:\n  description: |\n    paths: not a key\n    - url: no\n  summary: >-\n    servers:\n      x\n# paths: a comment\npaths:\n  /a: {}\nservers:\n  - url: b\n";
        assert_eq!(lines_of(yaml, &["/paths", "/paths/~1a", "/servers/0/url", "/info/summary"]), [Some(9), Some(10), Some(12), Some(5)]);
        let quoted = "a: \"one\n  paths: two\"\nc:\n  paths: 4\n";
        assert_eq!(line_of(quoted, "/c/paths"), Some(4), "a scalar's second line is not a key");
        // Flow collections on one line and over several.
        let flow = "x: {a: {b: 1}, c: [1, {d: 2}]}\ny: {\n  a: [\n    {b: 1},\n    {b: 2}],\n  'c': 3}\n";
        for (pointer, line) in [("/x/a/b", 1), ("/x/c/1/d", 1), ("/y/a/1/b", 5), ("/y/c", 6), ("/y/a/0", 4)] {
            assert_eq!(line_of(flow, pointer), Some(line), "{pointer}");
        }
        // Quoted keys with escapes, and pointer escapes.
        let quoted = "\"a\\\"b\": 1\n'it''s': 2\n\"\\u00e9\\/\": 3\n\"a/b~c\": 4\n? complex\n: 5\n\"t\\tx\": 6\n";
        for (pointer, line) in [("/a\"b", 1), ("/it's", 2), ("/é~1", 3), ("/a~1b~0c", 4), ("/complex", 5), ("/t\tx", 7)] {
            assert_eq!(line_of(quoted, pointer), Some(line), "{pointer:?}");
        }
        let json = "{\n  \"a\\\"b\": 1,\n  \"\\u00e9\\/\": {\"x\\ud83d\\ude00\": [\n    true]},\n  \"a/b~c\" : null\n}\n";
        for (pointer, line) in [("/a\"b", 2), ("/é~1", 3), ("/é~1/x😀/0", 4), ("/a~1b~0c", 5), ("", 1)] {
            assert_eq!(line_of(json, pointer), Some(line), "{pointer:?}");
        }
        assert_eq!(line_of(json, "/missing"), None);
        assert_eq!(line_of(json, "no slash"), None);
    }

    /// A node reached through an alias is on the alias; the anchored node keeps its own lines.
    #[test]
    fn aliases_are_placed_where_they_are_written() {
        let yaml = "base: &b\n  x: 1\n  y: [2]\nother: *b\nlist:\n  - *b\n  - &s str\n  - *s\nmerge:\n  <<: *b\n";
        for (pointer, line) in [
            ("/base/x", 2),
            ("/base/y/0", 3),
            ("/other", 4),
            ("/other/x", 4),
            ("/other/y/0", 4),
            ("/list/0/y", 6),
            ("/list/1", 7),
            ("/list/2", 8),
            ("/merge/<<", 10),
            ("/merge/<</x", 10),
        ] {
            assert_eq!(line_of(yaml, pointer), Some(line), "{pointer}");
        }
    }

    /// CRLF line ends, a byte order mark, comments and document markers.
    #[test]
    fn line_ends_marks_and_documents() {
        let yaml = "\u{feff}# head\r\n---\r\na:\r\n  b: |\r\n    one\r\n    two\r\n  c: 1\r\n...\r\n---\r\nd: 2\r\n";
        assert_eq!(lines_of(yaml, &["/a/b", "/a/c", "/d"]), [Some(4), Some(7), None], "only the first document is read");
        let json = "\u{feff}{\r\n\"a\": {\r\n  \"b\": 1}}\r\n";
        assert_eq!(lines_of(json, &["/a", "/a/b"]), [Some(2), Some(3)]);
    }

    /// JSON keeps the last of a key written twice (as the parsed tree does); a text that starts
    /// like JSON but is YAML is read as YAML.
    #[test]
    fn duplicates_and_flow_yaml() {
        let json = "{\"a\": 1,\n\"a\": {\n\"b\": 2}}";
        let value: Value = serde_json::from_str(json).unwrap();
        assert_eq!(value, serde_json::json!({"a": {"b": 2}}));
        assert_eq!(lines_of(json, &["/a", "/a/b"]), [Some(2), Some(3)]);
        let flow = "{a: 1,\n b: [x,\n  y]}\n";
        assert_eq!(lines_of(flow, &["/a", "/b/1"]), [Some(1), Some(3)]);
    }

    /// Nesting beyond the document limit is not followed, and costs no more than reading it.
    #[test]
    fn deep_nesting_stops_at_the_limit() {
        let n = 200;
        let yaml = format!("a: 1\nb: {}{}\n", "[".repeat(n), "]".repeat(n));
        let within = format!("/b{}", "/0".repeat(100));
        let beyond = format!("/b{}", "/0".repeat(150));
        assert_eq!(lines_of(&yaml, &["/a", "/b/0/0", &within, &beyond]), [Some(1), Some(2), Some(2), None]);
        let json = format!("{{\"a\":\n{}1{}}}", "[".repeat(n), "]".repeat(n));
        let within = format!("/a{}", "/0".repeat(100));
        let beyond = format!("/a{}", "/0".repeat(150));
        assert_eq!(lines_of(&json, &["/a", "/a/0/0", &within, &beyond]), [Some(1), Some(2), Some(2), None]);
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(lines_of(&block, &[&"/k".repeat(100), &"/k".repeat(150)]), [Some(100), None]);
        // 100,000 levels: read no further than the limit, without a panic.
        let n = 100_000;
        let yaml = format!("a: 1\nb: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(lines_of(&yaml, &["/a", &"/0".repeat(n)]), [Some(1), None]);
        let json = format!("{{\"a\":\n{}1{}}}", "[".repeat(n), "]".repeat(n));
        assert_eq!(lines_of(&json, &["/a", &"/0".repeat(n)]), [Some(1), None]);
    }

    /// Writes `value` as pretty JSON or as block YAML, noting the line each node's pointer is
    /// placed on, to check [`lines_of`] against a text whose lines are known.
    struct Printer {
        yaml: bool,
        out: String,
        lines: Vec<(String, usize)>,
    }

    impl Printer {
        fn print(value: &Value, yaml: bool) -> (String, Vec<(String, usize)>) {
            let mut p = Printer { yaml, out: String::new(), lines: vec![(String::new(), 1)] };
            p.value(value, "", 0);
            p.out.push('\n');
            (p.out, p.lines)
        }

        fn line(&self) -> usize {
            self.out.matches('\n').count() + 1
        }

        fn indent(&mut self, depth: usize) {
            if !self.out.is_empty() {
                self.out.push('\n');
            }
            self.out.push_str(&"  ".repeat(depth));
        }

        /// A value written where the cursor is (after `key: `, `- ` or at the start).
        fn value(&mut self, value: &Value, pointer: &str, depth: usize) {
            match value {
                Value::Object(m) if !m.is_empty() => {
                    if !self.yaml {
                        self.out.push('{');
                    }
                    for (i, (k, v)) in m.iter().enumerate() {
                        if self.yaml {
                            if i > 0 || !self.out.ends_with("- ") {
                                self.indent(depth);
                            }
                        } else {
                            self.out.push_str(if i > 0 { "," } else { "" });
                            self.indent(depth + 1);
                        }
                        let p = join(pointer, k);
                        self.lines.push((p.clone(), self.line()));
                        self.out.push_str(&serde_json::to_string(k).unwrap());
                        self.out.push_str(": ");
                        self.value(v, &p, depth + 1);
                    }
                    if !self.yaml {
                        self.indent(depth);
                        self.out.push('}');
                    }
                }
                Value::Array(a) if !a.is_empty() => {
                    if !self.yaml {
                        self.out.push('[');
                    }
                    for (i, v) in a.iter().enumerate() {
                        if self.yaml {
                            self.indent(depth);
                            self.out.push_str("- ");
                        } else {
                            self.out.push_str(if i > 0 { "," } else { "" });
                            self.indent(depth + 1);
                        }
                        let p = format!("{pointer}/{i}");
                        // An element starts where its node does: a YAML list in a list on the
                        // line after its `- `.
                        let nested = self.yaml && v.as_array().is_some_and(|a| !a.is_empty());
                        self.lines.push((p.clone(), self.line() + usize::from(nested)));
                        self.value(v, &p, depth + 1);
                    }
                    if !self.yaml {
                        self.indent(depth);
                        self.out.push(']');
                    }
                }
                // A multi-line string as a literal block in YAML.
                Value::String(s) if self.yaml && s.contains('\n') && s.lines().all(|l| !l.is_empty() && l.trim() == l) && !s.ends_with('\n') => {
                    self.out.push_str("|-");
                    for l in s.lines() {
                        self.indent(depth + 1);
                        self.out.push_str(l);
                    }
                }
                other => self.out.push_str(&serde_json::to_string(other).unwrap()),
            }
        }
    }

    /// Every node of the project's spec, and of a document of awkward keys and strings, written
    /// as pretty JSON and as block YAML, is found on the line it was written on; in the spec as
    /// written, every member is found on a line holding its key.
    #[test]
    fn every_pointer_is_found_on_the_line_it_was_written_on() {
        let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml")).unwrap();
        let spec: Value = serde_yaml_ng::from_str(&yaml).unwrap();
        let awkward = serde_json::json!({
            "name: x": {"- y": ["name: z\nname: w", {"": 1, "0": [], "~1": {}, "a/b": "c\nd"}]},
            "name": {"\"q\"": "'", "é ü": [[1, [2, {"k": null}]], "x\n  paths: y\nz"]},
            "#c": "# not a comment", "[x]": "{y}", "*a": "&b", "- ": "-"
        });
        for value in [&spec, &awkward] {
            for as_yaml in [false, true] {
                let (text, expected) = Printer::print(value, as_yaml);
                let reread: Value = if as_yaml { serde_yaml_ng::from_str(&text).unwrap() } else { serde_json::from_str(&text).unwrap() };
                assert_eq!(&reread, value, "the printer writes the same tree:\n{text}");
                let pointers: Vec<&str> = expected.iter().map(|(p, _)| p.as_str()).collect();
                assert!(pointers.len() > 20);
                for ((p, line), found) in expected.iter().zip(lines_of(&text, &pointers)) {
                    assert_eq!(found, Some(*line), "{p} in:\n{text}");
                }
            }
        }
        let (_, expected) = Printer::print(&spec, false);
        assert!(expected.len() > 500);
        let pointers: Vec<&str> = expected.iter().map(|(p, _)| p.as_str()).collect();
        let text: Vec<&str> = yaml.lines().collect();
        for (p, found) in pointers.iter().zip(lines_of(&yaml, &pointers)) {
            let line = found.unwrap_or_else(|| panic!("{p} not found"));
            let Some((parent, last)) = p.rsplit_once('/') else { continue };
            if get(&spec, parent).is_some_and(Value::is_object) {
                let key = unescape_token(last);
                let written = &text[line - 1];
                assert!(written.contains(&format!("{key}:")) || written.contains(&format!("{key}':")) || written.contains(&format!("{key}\":")), "{p} on line {line}: {written}");
            }
        }
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
    }
}
