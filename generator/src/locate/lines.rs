//! The lines JSON pointers start on, from a parse that keeps positions: YAML through
//! `saphyr-parser`'s events (each with its span), JSON through a small tokenizer of its own that
//! counts lines as it goes. Both feed one [`Walker`], which follows only the parts of the tree
//! some pointer names (a trie of the wanted pointers), so the cost is one pass over the text
//! plus the pointers, whatever their number.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::limits::MAX_DOCUMENT_DEPTH;

/// Children kept in a list up to this many; a map beyond.
const FEW: usize = 8;

/// A node's children: by reference token.
#[derive(Default)]
enum Kids {
    #[default]
    None,
    Few(Vec<(Box<str>, u32)>),
    Many(HashMap<Box<str>, u32>),
}

impl Kids {
    fn get(&self, token: &str) -> Option<u32> {
        match self {
            Kids::None => None,
            Kids::Few(v) => v.iter().find(|(t, _)| &**t == token).map(|(_, i)| *i),
            Kids::Many(m) => m.get(token).copied(),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Kids::None)
    }

    fn ids(&self) -> Vec<u32> {
        match self {
            Kids::None => Vec::new(),
            Kids::Few(v) => v.iter().map(|(_, i)| *i).collect(),
            Kids::Many(m) => m.values().copied().collect(),
        }
    }
}

/// The wanted pointers as a tree of reference tokens (node 0 is the root), each node with the
/// line found for it.
pub(super) struct Trie {
    kids: Vec<Kids>,
    lines: Vec<Option<usize>>,
}

impl Trie {
    pub(super) fn new() -> Self {
        Trie { kids: vec![Kids::None], lines: vec![None] }
    }

    /// The node of `pointer`, added with its parents as needed; `None` for a string that is not
    /// a pointer. `""` and `"/"` are the root, as [`super::get`] reads them.
    pub(super) fn insert(&mut self, pointer: &str) -> Option<u32> {
        if pointer.is_empty() || pointer == "/" {
            return Some(0);
        }
        let mut node = 0u32;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = super::unescape_token(token);
            node = match self.kids[node as usize].get(&token) {
                Some(child) => child,
                None => {
                    let child = u32::try_from(self.kids.len()).ok()?;
                    self.kids.push(Kids::None);
                    self.lines.push(None);
                    let kids = &mut self.kids[node as usize];
                    match kids {
                        Kids::None => *kids = Kids::Few(vec![(token.into(), child)]),
                        Kids::Few(v) if v.len() < FEW => v.push((token.into(), child)),
                        Kids::Few(v) => {
                            let mut m: HashMap<Box<str>, u32> = std::mem::take(v).into_iter().collect();
                            m.insert(token.into(), child);
                            *kids = Kids::Many(m);
                        }
                        Kids::Many(m) => {
                            m.insert(token.into(), child);
                        }
                    }
                    child
                }
            };
        }
        Some(node)
    }

    pub(super) fn line(&self, node: u32) -> Option<usize> {
        self.lines[node as usize]
    }

    /// Forgets every line found (before a second parse of the same text).
    fn clear(&mut self) {
        self.lines.iter_mut().for_each(|l| *l = None);
    }

    fn child(&self, node: u32, token: &str) -> Option<u32> {
        self.kids[node as usize].get(token)
    }

    /// The child named by array index `i`: its decimal digits, as a pointer writes them.
    fn element(&self, node: u32, i: usize) -> Option<u32> {
        let kids = &self.kids[node as usize];
        if kids.is_empty() {
            return None;
        }
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        let mut n = i;
        loop {
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        kids.get(std::str::from_utf8(&buf[at..]).ok()?)
    }
}

/// What an open collection is reading.
enum Frame {
    /// A mapping; `value` is `Some` after a key, holding the node its value is (when wanted).
    Map { node: Option<u32>, value: Option<Option<u32>> },
    /// A sequence; `next` is the index of its next element.
    Seq { node: Option<u32>, next: usize },
}

/// The walk stopped early: the text nests deeper than [`MAX_DOCUMENT_DEPTH`].
struct TooDeep;

/// Follows a stream of nodes (collections opening and closing, scalars, aliases, each with its
/// line) and records the line of every wanted node: a mapping member where its key is written,
/// a sequence element (and the root) where it starts. A node reached through an alias is placed
/// on the alias. A key written twice keeps its last place (as the parsed tree keeps the last
/// value).
struct Walker<'t> {
    trie: &'t mut Trie,
    stack: Vec<Frame>,
    /// Whether the root node was seen.
    started: bool,
}

impl<'t> Walker<'t> {
    fn new(trie: &'t mut Trie) -> Self {
        Walker { trie, stack: Vec::new(), started: false }
    }

    /// Whether the whole (first) document was walked.
    fn done(&self) -> bool {
        self.started && self.stack.is_empty()
    }

    /// Whether the next node is a mapping key.
    fn at_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { value: None, .. }))
    }

    /// Whether a key read now could name a wanted node (so is worth decoding).
    fn wants_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { node: Some(n), value: None }) if !self.trie.kids[*n as usize].is_empty())
    }

    fn record(&mut self, node: Option<u32>, line: usize) {
        if let Some(n) = node {
            self.trie.lines[n as usize] = Some(line);
        }
    }

    /// The wanted node a value starting on `line` is (recording its line when its place is not
    /// a key's).
    fn slot(&mut self, line: usize) -> Option<u32> {
        match self.stack.last_mut() {
            None if self.started => None,
            None => {
                self.started = true;
                self.record(Some(0), line);
                Some(0)
            }
            Some(Frame::Map { value, .. }) => value.take().flatten(),
            Some(Frame::Seq { node, next }) => {
                let i = *next;
                *next += 1;
                let element = node.and_then(|n| self.trie.element(n, i));
                self.record(element, line);
                element
            }
        }
    }

    /// A key: `None` when it cannot name a wanted node.
    fn key(&mut self, key: Option<&str>, line: usize) {
        let trie = &*self.trie;
        if let Some(Frame::Map { node, value }) = self.stack.last_mut() {
            let child = node.zip(key).and_then(|(n, k)| trie.child(n, k));
            *value = Some(child);
            self.record(child, line);
        }
    }

    /// A scalar: a key or a value, as its place says.
    fn scalar(&mut self, text: &str, line: usize) {
        if self.at_key() {
            self.key(Some(text), line);
        } else {
            self.slot(line);
        }
    }

    /// A mapping (`map`) or sequence opening on `line`.
    fn open(&mut self, map: bool, line: usize) -> Result<(), TooDeep> {
        if self.stack.len() >= MAX_DOCUMENT_DEPTH {
            return Err(TooDeep);
        }
        // A collection as a key names nothing a pointer can reach, nor does its value.
        let node = if self.at_key() {
            self.key(None, line);
            None
        } else {
            self.slot(line)
        };
        self.stack.push(if map { Frame::Map { node, value: None } } else { Frame::Seq { node, next: 0 } });
        Ok(())
    }

    fn close(&mut self) {
        self.stack.pop();
    }

    /// An alias on `line`: the node it stands for, and everything under it, is placed there.
    fn alias(&mut self, line: usize) {
        if self.at_key() {
            self.key(None, line);
            return;
        }
        let Some(node) = self.slot(line) else { return };
        let mut todo = self.trie.kids[node as usize].ids();
        while let Some(n) = todo.pop() {
            self.trie.lines[n as usize] = Some(line);
            todo.extend(self.trie.kids[n as usize].ids());
        }
    }
}

/// Finds the lines of the trie's nodes in `text`: JSON when it starts as JSON does (as the
/// loader decides), read again as YAML when the tokenizer refuses its syntax; otherwise YAML.
/// A text the YAML parser refuses part way, or that nests deeper than [`MAX_DOCUMENT_DEPTH`],
/// keeps the lines found before that place.
pub(super) fn find(text: &str, trie: &mut Trie) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')) {
        match json(text.as_bytes(), &mut Walker::new(trie)) {
            Ok(()) | Err(Refused::TooDeep) => return,
            Err(Refused::Syntax) => trie.clear(),
        }
    }
    yaml(text, &mut Walker::new(trie));
}

/// Walks the first YAML document of `text`.
fn yaml(text: &str, w: &mut Walker<'_>) {
    // Where each line starts, made when a block scalar first needs it.
    let mut starts: Vec<usize> = Vec::new();
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { return };
        let line = span.start.line();
        match event {
            // A block scalar's span starts at its content: it is written on its `|` or `>` line.
            Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..) if !w.at_key() => {
                if starts.is_empty() {
                    starts = std::iter::once(0).chain(memchr_iter(text.as_bytes(), b'\n').map(|i| i + 1)).collect();
                }
                w.slot(header_line(text, &starts, line));
            }
            Event::Scalar(value, ..) => w.scalar(&value, line),
            Event::Alias(_) => w.alias(line),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if w.open(matches!(event, Event::MappingStart(..)), line).is_err() {
                    return;
                }
            }
            Event::MappingEnd | Event::SequenceEnd => w.close(),
            Event::DocumentEnd | Event::StreamEnd => return,
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
        }
        if w.done() {
            return;
        }
    }
}

/// The line of the `|` or `>` of a block scalar whose content starts on `content`: the last
/// line before it that is not blank.
fn header_line(text: &str, starts: &[usize], content: usize) -> usize {
    let mut line = content.saturating_sub(1).max(1);
    while line > 1 {
        let (from, to) = (starts[line - 1], starts.get(line).copied().unwrap_or(text.len()));
        if !text.as_bytes()[from..to].iter().all(u8::is_ascii_whitespace) {
            break;
        }
        line -= 1;
    }
    line
}

/// Offsets of `needle` in `haystack`.
fn memchr_iter(haystack: &[u8], needle: u8) -> impl Iterator<Item = usize> + '_ {
    haystack.iter().enumerate().filter(move |(_, b)| **b == needle).map(|(i, _)| i)
}

/// Why the JSON tokenizer stopped.
enum Refused {
    /// Not JSON as written (it may still be YAML).
    Syntax,
    /// Deeper than the limit: the parse stops there.
    TooDeep,
}

impl From<TooDeep> for Refused {
    fn from(_: TooDeep) -> Self {
        Refused::TooDeep
    }
}

/// A JSON text being read: the place and the line it is on.
struct Cursor<'b> {
    b: &'b [u8],
    i: usize,
    line: usize,
}

impl Cursor<'_> {
    fn skip_space(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips the string opening here; answers its raw content and whether it holds escapes.
    fn string(&mut self) -> Result<(&[u8], bool), Refused> {
        let start = self.i + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            match self.b.get(i) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(c) if *c < 0x20 => return Err(Refused::Syntax),
                Some(_) => i += 1,
                None => return Err(Refused::Syntax),
            }
        }
        self.i = i + 1;
        Ok((&self.b[start..i], escaped))
    }

    /// Skips a number, `true`, `false` or `null`.
    fn literal(&mut self) -> Result<(), Refused> {
        let start = self.i;
        while self.b.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')) {
            self.i += 1;
        }
        if self.i == start {
            return Err(Refused::Syntax);
        }
        Ok(())
    }

    /// Reads a member's key and its colon, giving it to the walker.
    fn key(&mut self, w: &mut Walker<'_>) -> Result<(), Refused> {
        self.skip_space();
        if self.peek() != Some(b'"') {
            return Err(Refused::Syntax);
        }
        let line = self.line;
        let wanted = w.wants_key();
        let (raw, escaped) = self.string()?;
        if !wanted {
            w.key(None, line);
        } else if escaped {
            w.key(Some(&unescape_json(raw)), line);
        } else {
            w.key(std::str::from_utf8(raw).ok(), line);
        }
        self.skip_space();
        if self.peek() != Some(b':') {
            return Err(Refused::Syntax);
        }
        self.i += 1;
        Ok(())
    }
}

/// Walks a JSON text: one value, then only white space.
fn json(b: &[u8], w: &mut Walker<'_>) -> Result<(), Refused> {
    let mut c = Cursor { b, i: 0, line: 1 };
    loop {
        // A value starts here.
        c.skip_space();
        let line = c.line;
        match c.peek() {
            Some(open @ (b'{' | b'[')) => {
                w.open(open == b'{', line)?;
                c.i += 1;
                c.skip_space();
                match (open, c.peek()) {
                    (b'{', Some(b'}')) | (b'[', Some(b']')) => {
                        c.i += 1;
                        w.close();
                    }
                    (b'{', _) => {
                        c.key(w)?;
                        continue;
                    }
                    _ => continue,
                }
            }
            Some(b'"') => {
                c.string()?;
                w.slot(line);
            }
            _ => {
                c.literal()?;
                w.slot(line);
            }
        }
        // After a value: close what ends, until a `,` starts the next value.
        loop {
            c.skip_space();
            if w.done() {
                return if c.i == b.len() { Ok(()) } else { Err(Refused::Syntax) };
            }
            let map = matches!(w.stack.last(), Some(Frame::Map { .. }));
            match (c.peek(), map) {
                (Some(b','), true) => {
                    c.i += 1;
                    c.key(w)?;
                    break;
                }
                (Some(b','), false) => {
                    c.i += 1;
                    break;
                }
                (Some(b'}'), true) | (Some(b']'), false) => {
                    c.i += 1;
                    w.close();
                }
                _ => return Err(Refused::Syntax),
            }
        }
    }
}

/// The text of a JSON string's content that holds escapes (an escape it cannot read, or an
/// unpaired surrogate, becomes U+FFFD; the loader has refused such a document already).
fn unescape_json(raw: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    let hex = |at: usize| -> Option<u32> { u32::from_str_radix(std::str::from_utf8(raw.get(at..at + 4)?).ok()?, 16).ok() };
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let mut push = |c: char| out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        match raw.get(i + 1) {
            Some(b'"') => push('"'),
            Some(b'\\') => push('\\'),
            Some(b'/') => push('/'),
            Some(b'b') => push('\u{8}'),
            Some(b'f') => push('\u{c}'),
            Some(b'n') => push('\n'),
            Some(b'r') => push('\r'),
            Some(b't') => push('\t'),
            Some(b'u') => {
                let high = hex(i + 2);
                let pair = high.filter(|h| (0xD800..0xDC00).contains(h)).and_then(|h| {
                    (raw.get(i + 6..i + 8) == Some(b"\\u")).then(|| hex(i + 8)).flatten().filter(|l| (0xDC00..0xE000).contains(l)).map(|l| (h, l))
                });
                match pair {
                    Some((h, l)) => {
                        push(char::from_u32(0x10000 + ((h - 0xD800) << 10) + (l - 0xDC00)).unwrap_or('\u{fffd}'));
                        i += 6;
                    }
                    None => push(high.and_then(char::from_u32).unwrap_or('\u{fffd}')),
                }
                i += 4;
            }
            _ => push('\u{fffd}'),
        }
        i += 2;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
