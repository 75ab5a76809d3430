//! Overlays (OpenAPI Overlay Specification 1.0, and 1.1's `copy`): ordered actions that adjust
//! a document someone else publishes without editing it.
//!
//! An overlay is read like a document (`load`'s reading path: text checks, nesting limits, YAML
//! or JSON) and checked whole before anything is applied: its version, `info`, a non-empty
//! `actions` list, and each action's fields and JSONPath targets (RFC 9535, parsed by
//! `serde_json_path`; the regular-expression functions `match()` and `search()` are not
//! offered, because the library compiles their pattern again at every node a query visits).
//!
//! Applying an action, on each node its `target` selects, in document order:
//! - `remove: true` removes the node from its parent (the root cannot be removed);
//! - `update` merges into it: into an object, the update's members, recursively (a member in
//!   both that is an object or an array on both sides merges again, anything else is replaced);
//!   into an array, the update's items when it is an array, else the update as one item, are
//!   appended; any other node is replaced by the update;
//! - `copy` (1.1) is `update` with the one node its JSONPath selects in the document as it is
//!   when the action runs.
//!
//! The work is bounded: an action selects at most [`MAX_MATCHES`] nodes, all overlays together
//! write at most [`MAX_WRITTEN_NODES`] nodes and [`MAX_WRITTEN_BYTES`] bytes, and no write may make the document nest deeper
//! than [`MAX_DOCUMENT_DEPTH`]; beyond any of them the overlay is refused (exit 2).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::diag::{Diagnostic, Severity};
use crate::limits::MAX_DOCUMENT_DEPTH;
use crate::load::LoadError;

/// The most nodes one action's `target` may select.
pub const MAX_MATCHES: usize = 100_000;

/// The most nodes all overlays of one run may write (each node of an update, once per node it
/// is merged into). The Cloudflare document holds about two million nodes; an overlay that
/// writes half as many again is not adjusting a document but making a new one.
pub const MAX_WRITTEN_NODES: usize = 1_000_000;

/// The most bytes all overlays of one run may write: the keys and strings of each update once
/// per place it is merged into, plus the pointer the run records for each node written (the
/// place's, once per node of the update). Counting nodes alone let a 400 KB key written at
/// 1,000 places, or 1,500 items appended under a 500 KB key, take 1.3 to 1.5 GB.
pub const MAX_WRITTEN_BYTES: usize = crate::limits::MIN_POINTER_BYTES;

/// The longest JSONPath accepted, in bytes, and its deepest nesting of brackets and
/// parentheses: the parser recurses on both.
const MAX_PATH_LEN: usize = 4096;
const MAX_PATH_NESTING: usize = 32;

/// The diagnostic code of an action (or a `copy` source) that selects nothing.
pub const NO_MATCH: &str = "overlay-no-match";

/// A checked overlay, ready to apply.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The file, as messages name it.
    file: Arc<str>,
    /// Its text, which decides the output as much as the document's does.
    text: String,
    actions: Vec<Action>,
}

#[derive(Debug, Clone)]
struct Action {
    line: Option<usize>,
    /// What the action is for, in the overlay author's words: spec-diff quotes it when the
    /// action stops matching.
    description: Option<String>,
    target_text: String,
    target: JsonPath,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Remove,
    Update(Value),
    Copy { text: String, path: JsonPath },
}

/// Why an overlay could not be read or applied. Every variant names the overlay file; the
/// action variants name the action's index in `actions` and, when known, its line.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// The file could not be read or parsed.
    #[error(transparent)]
    Read(LoadError),
    /// The overlay as a whole is malformed (version, `info`, `actions`).
    #[error("{}: invalid overlay: {}", place(.file, *.line), crate::escape::shown(.message))]
    Invalid {
        /// The overlay file.
        file: String,
        /// 1-based line of the offending member, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The document is not valid OpenAPI after overlays, at a place an overlay wrote.
    #[error("{}: invalid OpenAPI after overlays at {} ({}): {}", crate::escape::shown(.file), crate::escape::shown(.pointer), .origin, crate::escape::shown(.message))]
    Result {
        /// The document, as messages name it.
        file: String,
        /// JSON pointer of the invalid node.
        pointer: String,
        /// The action that wrote it.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// One action is malformed, or cannot be applied to this document.
    #[error("{}: overlay action actions[{index}]: {}", place(.file, *.line), crate::escape::shown(.message))]
    Action {
        /// The overlay file.
        file: String,
        /// 0-based index of the action in `actions`.
        index: usize,
        /// 1-based line of the action, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// `file:line`, or `file` alone.
fn place(file: &str, line: Option<usize>) -> String {
    let file = crate::escape::shown(file);
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.into_owned(),
    }
}

/// Where overlays wrote in a document: a JSON pointer → the action that wrote the node there
/// (or that removed items of the array there, moving the items after them).
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    places: HashMap<String, Origin>,
    /// The bytes of the overlays' texts, which count with the document's toward what the
    /// document may cost (see `limits::POINTER_BYTES_PER_BYTE`).
    input_bytes: usize,
    /// The bytes written so far, against [`MAX_WRITTEN_BYTES`].
    written_bytes: usize,
}

/// The action behind a place in [`Provenance`].
#[derive(Debug, Clone)]
pub struct Origin {
    file: Arc<str>,
    index: usize,
    /// The action removed items of this array: the items after them moved.
    moved: bool,
}

impl Provenance {
    /// True when no overlay wrote anything.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The bytes of the overlays' texts.
    pub(crate) fn input_bytes(&self) -> usize {
        self.input_bytes
    }

    /// The action that wrote `pointer` or a node it is inside, nearest first.
    pub fn origin_of(&self, pointer: &str) -> Option<&Origin> {
        if self.places.is_empty() {
            return None;
        }
        let mut p = pointer;
        loop {
            if let Some(o) = self.places.get(p) {
                return Some(o);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// An action that wrote somewhere below `pointer`, when none wrote at or above it: the
    /// validator names the member whose value it could not read, which may hold what an
    /// overlay wrote further in.
    fn origin_below(&self, pointer: &str) -> Option<&Origin> {
        let prefix = format!("{}/", pointer.trim_end_matches('/'));
        self.places.iter().filter(|(p, _)| p.starts_with(&prefix)).min_by(|a, b| a.0.cmp(b.0)).map(|(_, o)| o)
    }

    fn record(&mut self, pointer: String, origin: &Origin) {
        self.places.insert(pointer, origin.clone());
    }
}

impl Origin {
    /// What a diagnostic about a node here says about where it came from.
    pub fn describe(&self) -> String {
        let what = if self.moved { "moved by" } else { "written by" };
        format!("{what} overlay {} actions[{}]", crate::escape::shown(&self.file), self.index)
    }
}

/// What applying overlays did, besides changing the document.
#[derive(Debug, Default)]
pub struct Applied {
    /// Where they wrote.
    pub written: Provenance,
    /// One warning per action (or `copy` source) that selected nothing.
    pub diagnostics: Vec<Diagnostic>,
    /// For each overlay, in order, how many nodes each of its actions selected.
    pub matches: Vec<Vec<usize>>,
}

impl Overlay {
    /// Reads and checks the overlay at `path`.
    pub fn load(path: &Path) -> Result<Overlay, OverlayError> {
        let file = path.display().to_string();
        let crate::load::Parsed { text, raw, .. } = crate::load::read_path(path).map_err(|e| read_error(&file, e))?;
        Overlay::parse(&file, text, raw)
    }

    /// Checks an overlay from memory; `file` names it in messages.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Overlay, OverlayError> {
        let crate::load::Parsed { text, raw, .. } = crate::load::parse_bytes(file, bytes).map_err(|e| read_error(file, e))?;
        Overlay::parse(file, text, raw)
    }

    /// The file, as messages name it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Its text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The `target` of each action, in order.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().map(|a| a.target_text.as_str())
    }

    /// The `description` of action `index`, when it has one.
    pub fn action_description(&self, index: usize) -> Option<&str> {
        self.actions.get(index).and_then(|a| a.description.as_deref())
    }

    /// The line of action `index`, when known.
    pub fn action_line(&self, index: usize) -> Option<usize> {
        self.actions.get(index).and_then(|a| a.line)
    }

    fn parse(file: &str, text: String, raw: Value) -> Result<Overlay, OverlayError> {
        let Value::Object(top) = raw else { unreachable!("the reading path refuses anything but an object") };
        let invalid = |pointer: &str, message: String| OverlayError::Invalid {
            file: file.to_string(),
            line: crate::locate::line_of(&text, pointer),
            message,
        };
        let version = match top.get("overlay") {
            Some(Value::String(v)) => v.clone(),
            Some(other) => return Err(invalid("/overlay", format!("`overlay` is {}; expected a version such as \"1.0.0\"", crate::load::json_kind(other)))),
            None => return Err(invalid("", "no `overlay` member; expected `overlay: 1.0.0` (or 1.1.0)".into())),
        };
        let minor = version_minor(&version).ok_or_else(|| {
            invalid("/overlay", format!("Overlay version {} is not supported; this generator reads Overlay 1.0.x and 1.1.x", crate::escape::rust_str(&version)))
        })?;
        for key in top.keys() {
            if !matches!(key.as_str(), "overlay" | "info" | "extends" | "actions") && !key.starts_with("x-") {
                return Err(invalid(&crate::locate::join("", key), format!("unknown member {}", crate::escape::rust_str(key))));
            }
        }
        match top.get("info") {
            Some(Value::Object(info)) => {
                for key in ["title", "version"] {
                    if !matches!(info.get(key), Some(Value::String(_))) {
                        return Err(invalid("/info", format!("`info.{key}` is required and is a string")));
                    }
                }
            }
            _ => return Err(invalid("", "no `info` object; expected `info: {title: …, version: …}`".into())),
        }
        if let Some(e) = top.get("extends") {
            if !e.is_string() {
                return Err(invalid("/extends", "`extends` is a URL string".into()));
            }
        }
        let list = match top.get("actions") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            Some(Value::Array(_)) => return Err(invalid("/actions", "`actions` is empty; an overlay has at least one action".into())),
            Some(other) => return Err(invalid("/actions", format!("`actions` is {}; expected a list of actions", crate::load::json_kind(other)))),
            None => return Err(invalid("", "no `actions` list".into())),
        };
        let lines = action_lines(&text, list);
        let file: Arc<str> = Arc::from(file);
        let mut actions = Vec::with_capacity(list.len());
        for (index, (value, line)) in list.iter().zip(lines).enumerate() {
            let fail = |message: String| OverlayError::Action { file: file.to_string(), index, line, message };
            actions.push(parse_action(value, minor, line).map_err(fail)?);
        }
        Ok(Overlay { file, text, actions })
    }

    /// Applies every action in order to `doc`, recording into `applied`. `budget` is what is
    /// left of [`MAX_WRITTEN_NODES`] for this and later overlays.
    pub fn apply(&self, doc: &mut Value, applied: &mut Applied, budget: &mut usize) -> Result<(), OverlayError> {
        let mut counts = Vec::with_capacity(self.actions.len());
        for (index, action) in self.actions.iter().enumerate() {
            let fail = |message: String| OverlayError::Action { file: self.file.to_string(), index, line: action.line, message };
            let no_match = |what: String| Diagnostic {
                severity: Severity::Warning,
                code: NO_MATCH,
                pointer: format!("/actions/{index}"),
                line: action.line,
                message: format!("overlay {} actions[{index}]: {what}; the action did nothing", crate::escape::shown(&self.file)),
            };
            let located = action.target.query_located(doc);
            let found = located.len();
            if found > MAX_MATCHES {
                return Err(fail(format!("target {} selects {found} nodes; an action selects at most {MAX_MATCHES}", code(&action.target_text))));
            }
            counts.push(found);
            if found == 0 {
                applied.diagnostics.push(no_match(format!("target {} selects nothing", code(&action.target_text))));
                continue;
            }
            let targets: Vec<Vec<Step>> = located.iter().map(|n| steps(n.location())).collect();
            let origin = Origin { file: self.file.clone(), index, moved: false };
            let value = match &action.kind {
                Kind::Remove => {
                    remove_all(doc, targets, &origin, &mut applied.written).map_err(fail)?;
                    continue;
                }
                Kind::Update(v) => v.clone(),
                Kind::Copy { text, path } => {
                    let sources = path.query(doc);
                    match sources.len() {
                        1 => sources.first().cloned().unwrap_or_default(),
                        0 => {
                            applied.diagnostics.push(no_match(format!("copy source {} selects nothing", code(text))));
                            continue;
                        }
                        n => return Err(fail(format!("copy source {} selects {n} nodes; it must select exactly one", code(text)))),
                    }
                }
            };
            let (nodes, bytes, depth) = size_and_depth(&value);
            let cost = nodes.saturating_mul(targets.len());
            if cost > *budget {
                return Err(fail(format!(
                    "writing {nodes} node(s) at {} place(s) exceeds what overlays may write in all ({MAX_WRITTEN_NODES} nodes)",
                    targets.len()
                )));
            }
            let places: Vec<usize> = targets.iter().map(|t| t.iter().map(Step::pointer_bytes).sum()).collect();
            let written = bytes.saturating_mul(targets.len()).saturating_add(places.iter().sum::<usize>().saturating_mul(nodes));
            let written_bytes = applied.written.written_bytes.saturating_add(written);
            if written_bytes > MAX_WRITTEN_BYTES {
                return Err(fail(format!(
                    "writing {nodes} node(s) with {bytes} bytes of keys and strings at {} place(s), whose pointers are up to {} bytes long, exceeds what overlays may write in all ({} MiB, each node's place counted once per node; see \"Limits\" in the README)",
                    targets.len(),
                    places.iter().max().unwrap_or(&0),
                    MAX_WRITTEN_BYTES >> 20
                )));
            }
            applied.written.written_bytes = written_bytes;
            *budget -= cost;
            for t in &targets {
                if t.len() + depth > MAX_DOCUMENT_DEPTH {
                    return Err(fail(format!(
                        "the update would nest the document deeper than {MAX_DOCUMENT_DEPTH} levels (see \"Limits\" in the README)"
                    )));
                }
            }
            for t in targets {
                let pointer = pointer_of(&t);
                // An earlier target of the same action may have replaced this one's parent.
                let Some(node) = get_mut(doc, &t) else { continue };
                merge(node, &value, pointer, &origin, &mut applied.written, true).map_err(fail)?;
            }
        }
        applied.matches.push(counts);
        Ok(())
    }
}

/// The read errors that say "document" in the overlay's words; the rest as they are.
fn read_error(file: &str, e: LoadError) -> OverlayError {
    let invalid = |message: String| OverlayError::Invalid { file: file.to_string(), line: None, message };
    match e {
        LoadError::Empty { .. } => invalid("the file is empty; expected an overlay (a YAML or JSON object)".into()),
        LoadError::NotAnObject { found, .. } => invalid(format!("the file is {found}; expected an overlay object with `overlay: 1.0.0`")),
        other => OverlayError::Read(other),
    }
}

/// `1.0.x` → 0, `1.1.x` → 1.
fn version_minor(v: &str) -> Option<u8> {
    let mut parts = v.split('.');
    let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || major != "1" || !digits(patch) {
        return None;
    }
    match minor {
        "0" => Some(0),
        "1" => Some(1),
        _ => None,
    }
}

fn parse_action(value: &Value, minor: u8, line: Option<usize>) -> Result<Action, String> {
    let Value::Object(a) = value else {
        return Err(format!("is {}; expected an object with `target` and `update`, `remove` or `copy`", crate::load::json_kind(value)));
    };
    for key in a.keys() {
        if !matches!(key.as_str(), "target" | "description" | "update" | "remove" | "copy") && !key.starts_with("x-") {
            return Err(format!("unknown member {}", crate::escape::rust_str(key)));
        }
    }
    let target_text = match a.get("target") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => return Err(format!("`target` is {}; expected a JSONPath such as \"$.paths\"", crate::load::json_kind(other))),
        None => return Err("no `target`".into()),
    };
    let target = parse_path("target", &target_text)?;
    let description = match a.get("description") {
        None => None,
        Some(Value::String(d)) => Some(d.clone()),
        Some(_) => return Err("`description` is a string".into()),
    };
    let remove = match a.get("remove") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("`remove` is {}; expected true or false", crate::load::json_kind(other))),
    };
    let copy = match a.get("copy") {
        None => None,
        Some(_) if minor == 0 => return Err("`copy` is an Overlay 1.1 member; declare `overlay: 1.1.0` to use it".into()),
        Some(Value::String(c)) => Some((c.clone(), parse_path("copy", c)?)),
        Some(other) => return Err(format!("`copy` is {}; expected a JSONPath", crate::load::json_kind(other))),
    };
    let update = a.get("update");
    // As the specification says, `remove: true` wins over `update` and `copy`.
    let kind = match (remove, update, copy) {
        (true, _, _) => Kind::Remove,
        (false, Some(_), Some(_)) => return Err("has both `update` and `copy`; an action does one or the other".into()),
        (false, Some(u), None) => Kind::Update(u.clone()),
        (false, None, Some((text, path))) => Kind::Copy { text, path },
        (false, None, None) => return Err("has no `update`, no `copy` and no `remove: true`: it would do nothing".into()),
    };
    Ok(Action { line, description, target_text, target, kind })
}

fn parse_path(member: &str, text: &str) -> Result<JsonPath, String> {
    if text.len() > MAX_PATH_LEN {
        return Err(format!("`{member}` is {} bytes long; a JSONPath here is at most {MAX_PATH_LEN}", text.len()));
    }
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'(' => {
                depth += 1;
                if depth > MAX_PATH_NESTING {
                    return Err(format!("`{member}` nests brackets and parentheses deeper than {MAX_PATH_NESTING} levels"));
                }
            }
            b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let path = JsonPath::parse(text).map_err(|e| {
        let e = e.to_string();
        let hint = if e.contains("function") { " (the functions offered are length, count and value)" } else { "" };
        format!("`{member}` {} is not an RFC 9535 JSONPath: {e}{hint}", code(text))
    })?;
    let descendants = descendant_segments(&path.to_string());
    if descendants > MAX_DESCENDANT_SEGMENTS {
        return Err(format!(
            "`{member}` {} has {descendants} descendant segments (`..`, filters' queries included); a JSONPath here has at most {MAX_DESCENDANT_SEGMENTS}, as each one more multiplies the nodes visited by the document's depth or size",
            code(text)
        ));
    }
    Ok(path)
}

/// The most descendant segments (`..`) a target or copy source may hold, counting those in
/// filters' queries: the matches are listed before they are counted, and `$..*..*..*..*..*`
/// lists 190 million nodes of a 389-byte document (2.1 GB), one more aborts on allocation; a
/// `..` inside a filter after another runs once per node.
const MAX_DESCENDANT_SEGMENTS: usize = 1;

/// The `..` in a JSONPath as the parser prints it back (names in quotes, which are skipped).
fn descendant_segments(normalized: &str) -> usize {
    let (mut count, mut quote, mut escaped, mut last_dot) = (0, None, false, false);
    for c in normalized.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                last_dot = false;
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                last_dot = false;
            }
            None if c == '.' => {
                if last_dot {
                    count += 1;
                    last_dot = false;
                } else {
                    last_dot = true;
                }
            }
            None => last_dot = false,
        }
    }
    count
}

/// Each action's line: where its item starts in the overlay's text (YAML or JSON), found in
/// one parse of the text.
fn action_lines(text: &str, actions: &[Value]) -> Vec<Option<usize>> {
    let pointers: Vec<String> = (0..actions.len()).map(|i| format!("/actions/{i}")).collect();
    crate::locate::lines_of(text, &pointers.iter().map(String::as_str).collect::<Vec<_>>())
}

/// `s` quoted for a message.
fn code(s: &str) -> String {
    crate::escape::rust_str(s)
}

/// One step of a located node's path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    /// The bytes it adds to a JSON pointer.
    fn pointer_bytes(&self) -> usize {
        match self {
            Step::Key(k) => crate::limits::token_bytes(k),
            Step::Index(i) => crate::limits::index_bytes(*i),
        }
    }
}

fn steps(path: &serde_json_path::NormalizedPath) -> Vec<Step> {
    use serde_json_path::PathElement;
    path.iter()
        .map(|e| match e {
            PathElement::Name(n) => Step::Key(n.to_string()),
            PathElement::Index(i) => Step::Index(*i),
        })
        .collect()
}

fn pointer_of(steps: &[Step]) -> String {
    let mut p = String::new();
    for s in steps {
        match s {
            Step::Key(k) => p = crate::locate::join(&p, k),
            Step::Index(i) => p = format!("{p}/{i}"),
        }
    }
    p
}

fn get_mut<'v>(mut v: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    for s in steps {
        v = match (s, v) {
            (Step::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (Step::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Removes every target, deepest and last first, so removing one never moves another.
fn remove_all(doc: &mut Value, mut targets: Vec<Vec<Step>>, origin: &Origin, written: &mut Provenance) -> Result<(), String> {
    // Deepest and last first, so a removal moves nothing another still points at; the
    // members of one parent are taken out together, in one pass over it (one at a time, each
    // shifting the rest, 100,000 items of one array took a minute).
    targets.sort_unstable_by(|a, b| b.cmp(a));
    let mut i = 0;
    while i < targets.len() {
        let Some((_, parent)) = targets[i].split_last() else {
            return Err("`remove: true` on the document's root; the root cannot be removed".into());
        };
        let end = i + targets[i..].iter().take_while(|t| t.split_last().is_some_and(|(_, p)| p == parent)).count();
        let parent = parent.to_vec();
        let members: Vec<&Step> = targets[i..end].iter().filter_map(|t| t.last()).collect();
        if let Some(node) = get_mut(doc, &parent) {
            match node {
                Value::Object(m) => {
                    let keys: HashSet<&str> = members.iter().filter_map(|s| if let Step::Key(k) = s { Some(k.as_str()) } else { None }).collect();
                    if !keys.is_empty() {
                        m.retain(|k, _| !keys.contains(k.as_str()));
                    }
                }
                Value::Array(a) => {
                    let indexes: HashSet<usize> = members.iter().filter_map(|s| if let Step::Index(i) = s { Some(*i) } else { None }).filter(|i| *i < a.len()).collect();
                    if !indexes.is_empty() {
                        let mut at = 0;
                        a.retain(|_| {
                            at += 1;
                            !indexes.contains(&(at - 1))
                        });
                        written.record(pointer_of(&parent), &Origin { moved: true, ..origin.clone() });
                    }
                }
                _ => {}
            }
        }
        i = end;
    }
    Ok(())
}

/// Merges `update` into `node` (see the module's rules), recording each place written.
fn merge(node: &mut Value, update: &Value, pointer: String, origin: &Origin, written: &mut Provenance, top: bool) -> Result<(), String> {
    match (node, update) {
        (Value::Object(n), Value::Object(u)) => {
            for (k, v) in u {
                let p = crate::locate::join(&pointer, k);
                match n.get_mut(k) {
                    Some(existing @ (Value::Object(_) | Value::Array(_))) if same_kind(existing, v) => {
                        merge(existing, v, p, origin, written, false)?;
                    }
                    Some(existing) => {
                        *existing = v.clone();
                        written.record(p, origin);
                    }
                    None => {
                        n.insert(k.clone(), v.clone());
                        written.record(p, origin);
                    }
                }
            }
        }
        (Value::Object(_), other) if top => {
            return Err(format!("the target is an object and the update is {}; an update of an object is an object of members to merge", crate::load::json_kind(other)));
        }
        (Value::Array(n), Value::Array(u)) => {
            for v in u {
                written.record(format!("{pointer}/{}", n.len()), origin);
                n.push(v.clone());
            }
        }
        (Value::Array(n), v) => {
            written.record(format!("{pointer}/{}", n.len()), origin);
            n.push(v.clone());
        }
        (node, v) => {
            *node = v.clone();
            written.record(pointer, origin);
        }
    }
    Ok(())
}

fn same_kind(a: &Value, b: &Value) -> bool {
    matches!((a, b), (Value::Object(_), Value::Object(_)) | (Value::Array(_), Value::Array(_)))
}

/// How many nodes `v` has, the bytes of its keys and strings, and how deep it nests (a scalar
/// is 1), without recursion.
fn size_and_depth(v: &Value) -> (usize, usize, usize) {
    let mut stack = vec![(v, 1usize)];
    let (mut nodes, mut bytes, mut depth) = (0usize, 0usize, 0usize);
    while let Some((v, d)) = stack.pop() {
        nodes += 1;
        depth = depth.max(d);
        match v {
            Value::Object(m) => {
                bytes += m.keys().map(String::len).sum::<usize>();
                stack.extend(m.values().map(|c| (c, d + 1)));
            }
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
            Value::String(s) => bytes += s.len(),
            _ => {}
        }
    }
    (nodes, bytes, depth)
}

/// Applies `overlays` in order to `doc`.
pub fn apply_all(overlays: &[Overlay], doc: &mut Value) -> Result<Applied, OverlayError> {
    let mut applied = Applied::default();
    applied.written.input_bytes = overlays.iter().map(|o| o.text.len()).sum();
    let mut budget = MAX_WRITTEN_NODES;
    for o in overlays {
        o.apply(doc, &mut applied, &mut budget)?;
    }
    Ok(applied)
}

/// Applies `overlays` in order to a loaded document and checks the result again as OpenAPI:
/// the document a run with these overlays generates from, and what the overlays did.
pub fn apply_overlays(doc: crate::Document, overlays: &[Overlay]) -> Result<(crate::Document, Applied), crate::GenerateError> {
    let crate::Document { name, mut raw, text, input_bytes, .. } = doc;
    let applied = apply_all(overlays, &mut raw)?;
    let doc = finish(&name, crate::load::Parsed { text, raw, input_bytes }, applied.written.clone())?;
    Ok((doc, applied))
}

/// `load`'s OpenAPI checks on a document overlays changed; a refusal at a place an overlay
/// wrote names the action instead of a line of the original text.
pub(crate) fn finish(name: &str, parsed: crate::load::Parsed, written: Provenance) -> Result<crate::Document, crate::GenerateError> {
    let origins = written.clone();
    // The action that wrote the place (or something under it), said instead of a line.
    let origin = |pointer: &str| match (origins.origin_of(pointer), origins.origin_below(pointer)) {
        (Some(o), _) => Some(o.describe()),
        (None, Some(o)) => Some(format!("which holds what was {}", o.describe())),
        (None, None) => None,
    };
    crate::load::finish(name, parsed, written).map_err(|e| match e {
        LoadError::Invalid { file, version, pointer, message, line } => match origin(&pointer) {
            Some(origin) => OverlayError::Result { file, pointer, origin, message }.into(),
            None => LoadError::Invalid { file, version, pointer, message, line }.into(),
        },
        LoadError::KeysTooLong { file, pointer, length, line } => match origin(&pointer) {
            Some(origin) => {
                let message = format!("the key is {}", crate::load::keys_too_long(length));
                OverlayError::Result { file, pointer, origin, message }.into()
            }
            None => LoadError::KeysTooLong { file, pointer, length, line }.into(),
        },
        other => other.into(),
    })
}

/// A document as text for `--effective-spec`: JSON for a `.json` path, YAML for `.yaml`/`.yml`.
pub fn render_effective(path: &Path, doc: &Value) -> Option<String> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => serde_json::to_string_pretty(doc).ok().map(|mut s| {
            s.push('\n');
            s
        }),
        Some("yaml" | "yml") => serde_yaml_ng::to_string(doc).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn descendant_segments_are_counted_outside_names() {
        for (path, n) in [("$.a.b", 0), ("$..a", 1), ("$['a..b']", 0), ("$[\"x..\\\"..\"]..c", 1), ("$..[?@..x]", 2), ("$..*..*", 2)] {
            let parsed = JsonPath::parse(path).expect(path);
            assert_eq!(descendant_segments(&parsed.to_string()), n, "{path} printed as {parsed}");
        }
        assert!(parse_path("target", "$..a").is_ok());
        assert!(parse_path("target", "$..[?@..x]").is_err_and(|e| e.contains("2 descendant segments")));
    }

    fn overlay(text: &str) -> Result<Overlay, OverlayError> {
        Overlay::from_bytes("o.yaml", text.as_bytes())
    }

    /// Applies the actions (YAML list items) of a 1.1 overlay to `doc`.
    fn run(doc: Value, actions: &str) -> (Value, Applied) {
        let o = overlay(&format!("overlay: 1.1.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}")).unwrap();
        let mut doc = doc;
        let applied = apply_all(&[o], &mut doc).unwrap();
        (doc, applied)
    }

    fn error(text: &str) -> String {
        overlay(text).unwrap_err().to_string()
    }

    #[test]
    fn update_merges_objects_recursively_and_later_wins() {
        let doc = json!({"info": {"title": "A", "contact": {"name": "n", "url": "u"}}});
        let (doc, applied) = run(doc, "  - target: $.info\n    update: {title: B, contact: {url: v}, x-new: 1}\n");
        assert_eq!(doc, json!({"info": {"title": "B", "contact": {"name": "n", "url": "v"}, "x-new": 1}}));
        assert_eq!(applied.matches, vec![vec![1]]);
        assert!(applied.written.origin_of("/info/contact/url").is_some());
        assert!(applied.written.origin_of("/info/x-new").is_some());
        assert!(applied.written.origin_of("/info/contact/name").is_none());
    }

    #[test]
    fn update_appends_to_arrays_and_replaces_scalars() {
        let doc = json!({"tags": [{"name": "a"}], "n": 1, "s": "x"});
        let (doc, _) = run(
            doc,
            "  - target: $.tags\n    update: [{name: b}, {name: c}]\n  - target: $.tags\n    update: {name: d}\n  - target: $.n\n    update: 2\n  - target: $.s\n    update: y\n",
        );
        assert_eq!(doc, json!({"tags": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}], "n": 2, "s": "y"}));
    }

    #[test]
    fn an_object_target_takes_only_an_object_update() {
        let o = overlay("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: 3\n").unwrap();
        let e = apply_all(&[o], &mut json!({"info": {}})).unwrap_err().to_string();
        assert!(e.contains("o.yaml:4: overlay action actions[0]") && e.contains("is an object of members"), "{e}");
    }

    #[test]
    fn remove_takes_each_selected_node_out_of_its_parent() {
        let doc = json!({"paths": {"/a": {"get": {}, "delete": {}}, "/b": {"delete": {}}}, "list": [0, 1, 2, 3]});
        let (doc, applied) = run(doc, "  - target: $.paths.*.delete\n    remove: true\n  - target: $.list[0,2]\n    remove: true\n");
        assert_eq!(doc, json!({"paths": {"/a": {"get": {}}, "/b": {}}, "list": [1, 3]}));
        assert_eq!(applied.matches, vec![vec![2, 2]]);
        // The items after a removed one moved: their place in the text is no longer theirs.
        assert!(applied.written.origin_of("/list/1").is_some_and(|o| o.describe().starts_with("moved by")));
    }

    #[test]
    fn removals_from_one_parent_and_from_inside_its_members_all_land() {
        // Members of one parent, a member's own member, and keys of one object, in one action.
        let doc = json!({"list": [0, {"x": 1, "y": 2}, 2, 3, {"x": 4}, 5], "obj": {"a": 1, "b": 2, "c": 3}});
        let (doc, _) = run(doc, "  - target: $.list[0,2,3]\n    remove: true\n  - target: $..x\n    remove: true\n  - target: $.obj[?@ != 2]\n    remove: true\n");
        assert_eq!(doc, json!({"list": [{"y": 2}, {}, 5], "obj": {"b": 2}}));
        // One action whose targets interleave parents: list/3, list/1/x, list/0, obj/a.
        let doc = json!({"list": [0, {"x": 1, "y": 2}, 2, 3, {"x": 4}, 5], "obj": {"a": 1, "b": 2, "c": 3}});
        let (doc, _) = run(doc, "  - target: $..[?@ == 0 || @ == 1 || @ == 3]\n    remove: true\n");
        assert_eq!(doc, json!({"list": [{"y": 2}, 2, {"x": 4}, 5], "obj": {"b": 2}}));
    }

    #[test]
    fn remove_wins_over_update_and_the_root_stays() {
        let (doc, _) = run(json!({"a": 1, "b": 2}), "  - target: $.a\n    remove: true\n    update: 5\n");
        assert_eq!(doc, json!({"b": 2}));
        let o = overlay("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $\n    remove: true\n").unwrap();
        assert!(apply_all(&[o], &mut json!({})).unwrap_err().to_string().contains("root cannot be removed"));
    }

    #[test]
    fn copy_merges_the_one_selected_node() {
        let doc = json!({"paths": {"/foo": {"get": {"summary": "s"}}, "/bar": {"put": {}}}});
        let (doc, _) = run(doc, "  - target: $.paths['/bar']\n    copy: $.paths['/foo']\n");
        assert_eq!(doc["paths"]["/bar"], json!({"put": {}, "get": {"summary": "s"}}));
        let o = overlay("overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    copy: $.*\n").unwrap();
        let e = apply_all(&[o], &mut json!({"a": {}, "b": {}})).unwrap_err().to_string();
        assert!(e.contains("selects 2 nodes; it must select exactly one"), "{e}");
        let e = error("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    copy: $.b\n");
        assert!(e.contains("Overlay 1.1 member"), "{e}");
    }

    #[test]
    fn wildcard_filter_and_index_selectors() {
        let doc = json!({"paths": {
            "/a": {"get": {"operationId": "a", "deprecated": true}},
            "/b": {"get": {"operationId": "b"}, "post": {"operationId": "c", "parameters": [{"name": "x"}, {"name": "y"}]}}
        }});
        let (doc, applied) = run(
            doc,
            "  - target: $.paths.*[?@.deprecated == true]\n    remove: true\n  - target: $.paths.*[?@.operationId == 'b']\n    update: {x-tag: b}\n  - target: $.paths['/b'].post.parameters[1]\n    update: {required: true}\n  - target: $..operationId\n    update: z\n",
        );
        assert_eq!(applied.matches, vec![vec![1, 1, 1, 2]]);
        assert_eq!(doc["paths"]["/a"], json!({}));
        assert_eq!(doc["paths"]["/b"]["get"], json!({"operationId": "z", "x-tag": "b"}));
        assert_eq!(doc["paths"]["/b"]["post"]["parameters"][1], json!({"name": "y", "required": true}));
    }

    #[test]
    fn an_action_that_selects_nothing_is_a_warning_on_its_line() {
        let (_, applied) = run(json!({"a": 1}), "  - target: $.a\n    update: 2\n  - target: $.missing\n    update: 1\n");
        assert_eq!(applied.diagnostics.len(), 1);
        let d = &applied.diagnostics[0];
        assert_eq!((d.code, d.line, d.pointer.as_str()), (NO_MATCH, Some(6), "/actions/1"));
        assert!(d.message.contains("$.missing"), "{}", d.message);
    }

    #[test]
    fn malformed_overlays_name_the_file_the_action_and_its_line() {
        let head = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\n";
        for (text, want) in [
            ("overlay: 3.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n", "o.yaml:1: invalid overlay: Overlay version \"3.0.0\""),
            (head, "no `actions` list"),
            (&format!("{head}actions: []\n"), "o.yaml:3: invalid overlay: `actions` is empty"),
            ("overlay: 1.0.0\nactions: [{target: $, update: {}}]\n", "no `info` object"),
            (&format!("{head}actions:\n  - target: $.a\n    update: 1\n  - target: $.b\n    description: nothing\n"), "o.yaml:6: overlay action actions[1]: has no `update`"),
            (&format!("{head}actions:\n  - target: $.a[\n    update: 1\n"), "o.yaml:4: overlay action actions[0]: `target` \"$.a[\" is not an RFC 9535 JSONPath"),
            (&format!("{head}actions:\n  - target: $[?match(@, 'a.*')]\n    update: 1\n"), "the functions offered are length, count and value"),
            (&format!("{head}actions:\n  - update: 1\n"), "o.yaml:4: overlay action actions[0]: no `target`"),
            (&format!("{head}actions:\n  - target: $\n    updates: {{}}\n"), "unknown member \"updates\""),
            ("", "the file is empty; expected an overlay"),
            ("[1]", "expected an overlay object"),
        ] {
            let e = error(text);
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn an_action_whose_first_member_the_previous_action_also_has_is_found_on_its_own_line() {
        // Block YAML: the items' `- ` lines, whatever their first member.
        let yaml = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  # the title\n  - target: $.info\n    update: {title: x}\n\n  - update: {title: y}\n";
        assert!(error(yaml).starts_with("o.yaml:8: overlay action actions[1]: no `target`"), "{}", error(yaml));
        // Items at the key's own indentation, and a block scalar holding `- ` lines.
        let flush = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.info\n  update:\n    description: |\n      - update: not an action\n- update: {title: y}\n";
        assert!(error(flush).starts_with("o.yaml:8: overlay action actions[1]"), "{}", error(flush));
        // Pretty-printed JSON: the line of the action's `{`.
        let json = "{\n  \"overlay\": \"1.0.0\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n  \"actions\": [\n    {\n      \"target\": \"$.info\",\n      \"update\": {\"title\": \"x\"}\n    },\n    {\n      \"update\": {\"title\": \"y\"}\n    }\n  ]\n}\n";
        let e = Overlay::from_bytes("o.json", json.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("o.json:9: overlay action actions[1]: no `target`"), "{e}");
    }

    #[test]
    fn a_target_key_inside_an_update_is_not_the_next_action() {
        let text = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    update:\n      target: $.b\n  - target: $.b\n    update: 1\n  - target: $.c[\n    update: 1\n";
        let e = error(text);
        assert!(e.starts_with("o.yaml:9: overlay action actions[2]"), "{e}");
    }

    #[test]
    fn work_is_bounded() {
        // A large update at every node: refused before it is written.
        let big: Vec<String> = (0..2000).map(|i| format!("k{i}: {i}")).collect();
        let text = format!("overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n  - target: $..*\n    update: {{{}}}\n", big.join(", "));
        let o = overlay(&text).unwrap();
        let mut doc = json!({"a": (0..1000).map(|i| json!({"i": i})).collect::<Vec<_>>()});
        let e = apply_all(&[o], &mut doc).unwrap_err().to_string();
        assert!(e.contains("exceeds what overlays may write"), "{e}");
        // Nesting past the document limit.
        let mut deep = String::from("1");
        for _ in 0..100 {
            deep = format!("{{a: {deep}}}");
        }
        let text = format!("overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n  - target: $..*\n    update: {deep}\n");
        let mut doc = json!({"x": 1});
        let mut nested = &mut doc;
        for _ in 0..60 {
            nested["x"] = json!({"x": 1});
            nested = &mut nested["x"];
        }
        let e = apply_all(&[overlay(&text).unwrap()], &mut doc).unwrap_err().to_string();
        assert!(e.contains("deeper than"), "{e}");
        // Paths that would make the parser recurse deeply.
        let e = error(&format!("overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n  - target: \"$[?{}@{}]\"\n    update: 1\n", "(".repeat(200), ")".repeat(200)));
        assert!(e.contains("nests brackets"), "{e}");
    }

    #[test]
    fn effective_documents_are_json_or_yaml_by_extension() {
        let doc = json!({"openapi": "3.0.3"});
        assert_eq!(render_effective(Path::new("a.json"), &doc).unwrap(), "{\n  \"openapi\": \"3.0.3\"\n}\n");
        assert_eq!(render_effective(Path::new("a.YML"), &doc).unwrap(), "openapi: 3.0.3\n");
        assert!(render_effective(Path::new("a.txt"), &doc).is_none());
    }
}
