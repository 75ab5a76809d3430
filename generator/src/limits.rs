//! The limits that keep a hostile document from crashing or exhausting the generator. Every
//! stage that recurses does so at most this deep; a document beyond a limit is refused (exit 2)
//! with a message naming the place. The README lists them under the exit codes.

/// How deep the YAML or JSON text itself may nest (mappings, sequences, `[…]`, `{…}`). The same
/// as both parsers' own limit, checked before parsing for YAML flow collections, whose parsing
/// costs the square of their depth.
pub const MAX_DOCUMENT_DEPTH: usize = 128;

/// The largest input file read (the document, an overlay, the configuration), in bytes. Its
/// path may come from the configuration, which is input too, and may name a device that never
/// ends (`/dev/zero` grew the run to 2.1 GB before it failed); only regular files are read, and
/// only this much of them. The largest real documents (Microsoft Graph beta, the whole
/// Cloudflare API) are a few dozen MB.
pub const MAX_INPUT_BYTES: u64 = 512 << 20;

/// How deep schemas may nest inside schemas (a property, `items`, `additionalProperties`, a part
/// of `allOf`/`oneOf`/`anyOf`), counting through `$ref`s, and how many `$ref`s may follow one
/// another before a schema is reached. The whole Cloudflare API nests 22 levels deep at most.
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// How many bytes the Swagger 2.0 conversion may copy per byte of input (the document's text and
/// its overlays'): a shared body parameter into each operation that uses it, a response's or
/// body's schema into each media type of `produces`/`consumes`, and with each media type its
/// name and the pointers recorded for messages, which go through it. Bytes, not nodes: 250
/// media types of 4 KB and 1,000 responses with an empty schema copied few nodes, and took 3 GB
/// from 1 MB. A copied node counts 64 bytes besides its key and text.
pub const CONVERSION_BYTES_PER_BYTE: usize = 32;

/// The budget of a small document's conversion: however few its bytes, it may copy this much.
pub const MIN_CONVERSION_BYTES: usize = 64 << 20;

/// How many bytes of JSON pointers a document may add up to, per byte of its input (the
/// document's text and its overlays'). The generator keeps a node's pointer for messages, so a
/// long key above many nodes costs its length once per node: a 300 KB document with a 200 KB
/// path above 3,000 parameters and properties took 4 s and 1.3 GB. Real documents as written add
/// up to 4.4 (Cloudflare) and at most 11.2 times their text (APIs.guru's 2,639).
pub const POINTER_BYTES_PER_BYTE: usize = 32;

/// How many bytes of types and methods the build may make per byte of input (the document's
/// text and its overlays'): each type, field, variant and operation weighs its record in the IR
/// and its names, docs and sample. A parameter or request body shared by `$ref` is copied into
/// the params of every operation that uses it, so a short document can ask for far more: one
/// 3,000-property request body used by 1,000 operations took 77 s and 7.7 GB from 320 KB. Real
/// documents weigh up to 2.8 times their input (Cloudflare), 2.7 (Graph beta) and at most 7.2
/// (APIs.guru's 2,638 that generate, with contract tests' samples; 4.0 above 2 MB).
pub const BUILD_BYTES_PER_BYTE: usize = 32;

/// The budget of a small document's build: however few its bytes, it may make this much.
pub const MIN_BUILD_BYTES: usize = 64 << 20;

/// How many steps the checks of samples against their schemas may take in all, per byte of
/// input; each check is bounded on its own (20,000 steps), but a document can ask for one per
/// union variant and sample node. Out of steps, a sample is not used and a union's variant is
/// not taken to carry every field (contract tests only).
pub const FIT_STEPS_PER_BYTE: usize = 4;

/// The fewest steps those checks may take in all, however small the document.
pub const MIN_FIT_STEPS: usize = 4_000_000;

/// How many feature names the `#[cfg(any(feature = …))]` gates of a crate's types may list
/// in all, per type. A type is gated by every feature (top-level module) whose operations
/// reach it, so N modules sharing T types asked for N × T names: 1.1 MB of document aborted
/// on a 729 MB allocation. Past the budget, the types with the longest gates are compiled
/// whatever the features. Microsoft Graph beta lists 5.0 per type (308,920 for 61,441 types,
/// the longest gate 187 of its 936 features); Cloudflare 1.6 (31,504 for 19,117).
pub const GATE_FEATURES_PER_TYPE: usize = 16;

/// The feature names the gates may list however few the types.
pub const MIN_GATE_FEATURES: usize = 1 << 16;

/// The largest table of which features reach which types (types × features bits) worked out
/// to gate types by feature; past it no type is gated. Graph beta's takes 59 M bits (7.4 MB).
pub const MAX_REACH_BITS: usize = 1 << 30;

/// How much memory the tree of a YAML text may take, per byte of the text. A node takes 32
/// bytes or more: the whole Cloudflare document written as YAML takes 3.4 per byte, and the
/// densest text, flow collections of one-digit values, 22; aliases copy anchored nodes and
/// are what goes past it.
pub const YAML_TREE_BYTES_PER_BYTE: usize = 64;

/// The budget of a small document: however few its bytes, its pointers may add up to this many.
pub const MIN_POINTER_BYTES: usize = 64 << 20;

/// Where the JSON pointers to a tree's nodes first add up to more than the budget
/// ([`POINTER_BYTES_PER_BYTE`] times `input_bytes`, at least [`MIN_POINTER_BYTES`]): the
/// pointer to the longest key above the node that crossed it, and that key's length in bytes.
/// The budget is the input's, not the tree's, so a tree grown from it (YAML aliases, the Swagger
/// 2.0 conversion, overlay copies) does not raise it. One walk adds up the pointers; only a tree
/// over the budget is walked again, to find the place.
pub fn pointers_over_budget(tree: &serde_json::Value, input_bytes: usize) -> Option<(String, usize)> {
    let budget = MIN_POINTER_BYTES.max(POINTER_BYTES_PER_BYTE.saturating_mul(input_bytes));
    if pointer_bytes(tree, 0) <= budget {
        return None;
    }
    let mut walk = PointerWalk { left: budget, above: Vec::new() };
    if walk.visit(tree, 0) {
        return None;
    }
    let longest = (0..walk.above.len()).max_by_key(|i| walk.above[*i].len())?;
    let mut ptr = String::new();
    for token in &walk.above[..=longest] {
        ptr.push('/');
        ptr.push_str(&crate::locate::escape_token(token));
    }
    Some((ptr, walk.above[longest].len()))
}

/// The bytes a key adds to a pointer: `/` and the key, whose `~` and `/` take two bytes each.
pub(crate) fn token_bytes(key: &str) -> usize {
    1 + key.len() + key.bytes().filter(|b| matches!(b, b'~' | b'/')).count()
}

/// The bytes an array index adds to a pointer: `/` and its digits.
pub(crate) fn index_bytes(i: usize) -> usize {
    2 + i.checked_ilog10().unwrap_or(0) as usize
}

/// The bytes of the pointers to `v` and every node under it, `len` being `v`'s own
/// (saturating: only the comparison with the budget matters).
fn pointer_bytes(v: &serde_json::Value, len: usize) -> usize {
    use serde_json::Value;
    let under = |token: usize, v| pointer_bytes(v, len.saturating_add(token));
    let below = match v {
        Value::Array(a) => a.iter().enumerate().fold(0, |sum: usize, (i, v)| sum.saturating_add(under(index_bytes(i), v))),
        Value::Object(m) => m.iter().fold(0, |sum: usize, (k, v)| sum.saturating_add(under(token_bytes(k), v))),
        _ => 0,
    };
    len.saturating_add(below)
}

/// The state of [`pointers_over_budget`]'s second walk, which finds where the budget ran out.
struct PointerWalk<'a> {
    /// Pointer bytes still allowed.
    left: usize,
    /// The keys (array indexes as text) from the root to the node being visited.
    above: Vec<std::borrow::Cow<'a, str>>,
}

impl<'a> PointerWalk<'a> {
    /// Spends the pointers of `v` and everything under it, `len` bytes being `v`'s own; false
    /// when the budget ran out (with `above` leading to the node that crossed it).
    fn visit(&mut self, v: &'a serde_json::Value, len: usize) -> bool {
        use serde_json::Value;
        let Some(left) = self.left.checked_sub(len) else { return false };
        self.left = left;
        let child = |walk: &mut Self, token: std::borrow::Cow<'a, str>, bytes: usize, v: &'a Value| {
            walk.above.push(token);
            let ok = walk.visit(v, len.saturating_add(bytes));
            if ok {
                walk.above.pop();
            }
            ok
        };
        match v {
            Value::Array(a) => a.iter().enumerate().all(|(i, v)| child(self, i.to_string().into(), index_bytes(i), v)),
            Value::Object(m) => m.iter().all(|(k, v)| child(self, k.as_str().into(), token_bytes(k), v)),
            _ => true,
        }
    }
}

/// How deep the resource tree may nest (`client.a().b()…`): a group name such as
/// `x-fern-sdk-group-name: a.b.c` or a configured `resource` adds one level per dot. The whole
/// Cloudflare API nests 9 levels deep; each level is a module, a file and a folder.
pub const MAX_RESOURCE_DEPTH: usize = 16;

/// Folds the segments of a resource path beyond [`MAX_RESOURCE_DEPTH`] into the last level
/// kept (`a.….h.i.j` → `…, h_i_j`), so the operation stays reachable under a name that still
/// says where it came from. Answers whether anything was folded.
pub fn fold_resource_depth(segments: &mut Vec<String>) -> bool {
    if segments.len() <= MAX_RESOURCE_DEPTH {
        return false;
    }
    let rest = segments.split_off(MAX_RESOURCE_DEPTH - 1).join("_");
    segments.push(rest);
    true
}

/// Where YAML flow collections (`[…]`, `{…}`) first nest deeper than `limit`, as a byte offset.
///
/// One pass over the text. It follows enough of YAML to tell a flow collection from brackets in
/// prose: quoted scalars, comments, block scalars (`|`, `>`) and plain scalars (which may hold
/// `[` and continue on more indented lines) are skipped, so it never counts deeper than the
/// parser would nest. Block nesting needs no check: it costs indentation, so it cannot grow
/// faster than the text.
pub fn yaml_flow_too_deep(text: &str, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    // Indentation of the line that opened a block scalar: more indented lines belong to it.
    let mut block_scalar: Option<usize> = None;
    // Indentation of a line that ended inside a plain scalar value: more indented lines continue it.
    let mut plain: Option<usize> = None;
    while i < b.len() {
        let end = line_end(b, i);
        let indent = b[i..end].iter().take_while(|c| **c == b' ').count();
        let blank = b[i..end].iter().all(|c| c.is_ascii_whitespace());
        if let Some(h) = block_scalar {
            if blank || indent > h {
                i = end + 1;
                continue;
            }
            block_scalar = None;
        }
        if let Some(h) = plain {
            if !blank && indent > h {
                i = end + 1;
                continue;
            }
            if !blank {
                plain = None;
            }
        }
        let mut j = i + indent;
        if b[j..end].starts_with(b"---") && matches!(b.get(j + 3), None | Some(b' ' | b'\n' | b'\r')) {
            j += 3;
        }
        // Value starts on this line, in block context.
        loop {
            while j < end && matches!(b[j], b' ' | b'\t') {
                j += 1;
            }
            if j >= end {
                break;
            }
            match b[j] {
                b'-' | b'?' | b':' if matches!(b.get(j + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r')) => j += 1,
                b'[' | b'{' => {
                    match flow(b, j, limit) {
                        Flow::TooDeep(at) => return Some(at),
                        Flow::Closed(after) => {
                            // A flow collection as a key (`[a, b]: c`) is rare; what follows it
                            // on its line is skipped.
                            i = line_end(b, after) + 1;
                        }
                        Flow::Unclosed => return None,
                    }
                    break;
                }
                b'"' | b'\'' => match quoted(b, j) {
                    Some(after) => {
                        let line = line_end(b, after);
                        if line != end {
                            // A quoted scalar over several lines: continue after it.
                            i = line + 1;
                            break;
                        }
                        j = after;
                        while j < end && matches!(b[j], b' ' | b'\t') {
                            j += 1;
                        }
                        if j < end && b[j] == b':' {
                            j += 1;
                            continue;
                        }
                        break;
                    }
                    None => return None,
                },
                b'|' | b'>' => {
                    block_scalar = Some(indent);
                    break;
                }
                b'#' => break,
                b'&' | b'!' => {
                    while j < end && !matches!(b[j], b' ' | b'\t') {
                        j += 1;
                    }
                }
                _ => {
                    // A plain scalar: a key when `: ` follows, else a value to the line's end.
                    match plain_end(b, j, end) {
                        PlainEnd::Key(after) => j = after,
                        PlainEnd::Comment => break,
                        PlainEnd::Line => {
                            plain = Some(indent);
                            break;
                        }
                    }
                }
            }
        }
        if i <= end {
            i = i.max(end + 1);
        }
    }
    None
}

enum Flow {
    TooDeep(usize),
    Closed(usize),
    Unclosed,
}

/// Scans a flow collection starting at `b[start]` (`[` or `{`) to its end.
fn flow(b: &[u8], start: usize, limit: usize) -> Flow {
    let mut depth = 0usize;
    let mut j = start;
    // A quoted scalar can start here (after `[`, `{`, `,`, `? `, or `:` that follows a key).
    let mut at_start = true;
    let mut prev_quoted = false;
    while j < b.len() {
        let c = b[j];
        match c {
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Flow::TooDeep(j);
                }
                at_start = true;
                prev_quoted = false;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Flow::Closed(j + 1);
                }
                at_start = false;
                prev_quoted = false;
            }
            b',' => {
                at_start = true;
                prev_quoted = false;
            }
            b':' => {
                at_start = prev_quoted || matches!(b.get(j + 1), Some(b' ' | b'\t' | b'\n' | b'\r'));
                prev_quoted = false;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'#' if j > 0 && matches!(b[j - 1], b' ' | b'\t' | b'\n') => {
                j = line_end(b, j);
                continue;
            }
            b'"' | b'\'' if at_start => match quoted(b, j) {
                Some(after) => {
                    j = after;
                    at_start = false;
                    prev_quoted = true;
                    continue;
                }
                None => return Flow::Unclosed,
            },
            _ => {
                at_start = false;
                prev_quoted = false;
            }
        }
        j += 1;
    }
    Flow::Unclosed
}

/// The offset after a quoted scalar starting at `b[start]`, or `None` when it never closes.
fn quoted(b: &[u8], start: usize) -> Option<usize> {
    let q = b[start];
    let mut j = start + 1;
    while j < b.len() {
        match b[j] {
            b'\\' if q == b'"' => j += 2,
            c if c == q => {
                if q == b'\'' && b.get(j + 1) == Some(&b'\'') {
                    j += 2;
                } else {
                    return Some(j + 1);
                }
            }
            _ => j += 1,
        }
    }
    None
}

enum PlainEnd {
    /// `key: …`: the offset after the `:`.
    Key(usize),
    /// ` # …` ends the line.
    Comment,
    /// The scalar runs to the end of the line (and may continue on the next).
    Line,
}

fn plain_end(b: &[u8], start: usize, end: usize) -> PlainEnd {
    let mut j = start;
    while j < end {
        match b[j] {
            b':' if j + 1 >= end || matches!(b[j + 1], b' ' | b'\t' | b'\r') => return PlainEnd::Key(j + 1),
            b'#' if j > start && matches!(b[j - 1], b' ' | b'\t') => return PlainEnd::Comment,
            _ => j += 1,
        }
    }
    PlainEnd::Line
}

fn line_end(b: &[u8], from: usize) -> usize {
    b[from.min(b.len())..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_add_up_to_the_escaped_pointers_of_every_node() {
        use serde_json::json;
        let tree = json!({"a/b": [1, {"~c": "xyz"}, 3, 4, 5, 6, 7, 8, 9, 10, [11]], "": null});
        fn every(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| every(v, format!("{at}/{i}"), out)),
                serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| every(v, format!("{at}/{}", crate::locate::escape_token(k)), out)),
                _ => {}
            }
            out.push(at);
        }
        let mut all = Vec::new();
        every(&tree, String::new(), &mut all);
        assert_eq!(pointer_bytes(&tree, 0), all.iter().map(String::len).sum::<usize>());
        assert!(all.contains(&"/a~1b/1/~0c".to_string()) && all.contains(&"/a~1b/10/0".to_string()));
    }

    #[test]
    fn pointer_budget_refuses_long_keys_above_many_nodes_only() {
        use serde_json::json;
        let text_of = |v: &serde_json::Value| v.to_string().len();
        let long = format!("/{}", "a".repeat(200_000));
        let params: Vec<_> = (0..1_000).map(|i| json!({"name": format!("p{i}"), "in": "query"})).collect();
        let hostile = json!({"paths": {(long.clone()): {"get": {"parameters": params}}}});
        let (at, length) = pointers_over_budget(&hostile, text_of(&hostile)).expect("a 200 KB key above 3,000 nodes is refused");
        assert_eq!(length, long.len());
        assert_eq!(at, format!("/paths/{}", long.replace('/', "~1")));
        // The same key above a few nodes, and short keys above the same many nodes, are fine.
        let few = json!({"paths": {(long.clone()): {"get": {"parameters": [{"name": "p"}]}}}});
        assert_eq!(pointers_over_budget(&few, text_of(&few)), None);
        let params: Vec<_> = (0..1_000).map(|i| json!({"name": format!("p{i}"), "in": "query"})).collect();
        let short = json!({"paths": {"/a/{id}": {"get": {"parameters": params}}}});
        assert_eq!(pointers_over_budget(&short, text_of(&short)), None);
        // The budget is the input's: the same tree passes when its input was 1,000 times larger.
        assert!(pointers_over_budget(&hostile, text_of(&hostile) * 1_000).is_none());
        assert!(pointers_over_budget(&few, 1).is_none(), "the floor");
        // Past the floor, 32 pointer bytes per input byte: these 250,000 pointers of 304 bytes
        // add up to more than the floor, and to less than 32 times their text.
        let wide: serde_json::Map<_, _> = (0..250_000).map(|i| (format!("{i:0>300}"), json!(i))).collect();
        let wide = json!({"k": wide});
        const { assert!(250_000 * 304 > MIN_POINTER_BYTES) };
        assert_eq!(pointers_over_budget(&wide, text_of(&wide)), None);
        let (at, _) = pointers_over_budget(&wide, text_of(&wide) / 40).expect("over 32 bytes per input byte");
        assert!(at.starts_with("/k/0"), "{at}");
    }

    fn depth(text: &str) -> Option<usize> {
        yaml_flow_too_deep(text, 3)
    }

    #[test]
    fn counts_flow_nesting_only() {
        assert_eq!(depth("a: [[[x]]]\n"), None);
        assert_eq!(depth("a: [[[[x]]]]\n"), Some(6));
        assert_eq!(depth("a:\n  - {b: [[[1]]]}\n"), Some(13));
        assert_eq!(depth("a:\n  [[[\n  [x]]]]\n"), Some(11));
    }

    #[test]
    fn brackets_in_scalars_comments_and_block_scalars_do_not_count() {
        assert_eq!(depth("a: see [[[[x\n"), None);
        assert_eq!(depth("a: one\n  [[[[ continued\nb: 1\n"), None);
        assert_eq!(depth("a: |\n  [[[[\n  {{{{\nb: 1\n"), None);
        assert_eq!(depth("a: '[[[[' # [[[[\n"), None);
        assert_eq!(depth("a: \"[[[[\\\"[[[[\"\n"), None);
        assert_eq!(depth("a: ['[[[[', \"{{{{\", it's, x # [[[[\n  ]\n"), None);
        assert_eq!(depth("\"k: [[[[\": v\n"), None);
    }

    #[test]
    fn a_value_after_a_quoted_key_is_checked() {
        assert_eq!(depth("\"k\": [[[[1]]]]\n"), Some(8));
        assert_eq!(depth("{\"a\":[[[[1]]]]}\n"), Some(7));
    }
}
