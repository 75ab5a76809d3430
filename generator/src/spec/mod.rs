//! The resolved view of an OpenAPI document: the one reading of the spec's rules that later
//! stages share.
//!
//! It answers questions about the raw tree ([`crate::load::Document::raw`]) rather than
//! converting it, because openapiv3's model drops the keywords written beside a `$ref`:
//!
//! - [`refs`]: `$ref` following (local only, percent-decoded, keywords beside each `$ref`
//!   merged; missing, external and cyclic references are errors naming the place).
//! - [`schema`]: `allOf` merging, and what Rust type a schema maps to ([`schema::RustKind`]).
//! - [`paths`]: [`PathTemplate`], the HTTP methods, operations under `paths` (path-item `$ref`s
//!   followed) and the parameters that apply to each.
//! - [`content`]: content negotiation, the success response and Cloudflare envelopes.
//! - [`paging`]: the list a response body carries and how a list operation pages.
//! - [`security`]: the `security` list that applies to an operation.
//! - [`servers`]: the `servers` that apply to the document and to an operation, each server's
//!   URL with its variables' defaults, and whether that URL names a host.

pub mod content;
pub mod paging;
pub mod paths;
pub mod refs;
pub mod sample;
pub mod schema;
pub mod security;
pub mod servers;

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::limits::MAX_SCHEMA_DEPTH;
use crate::load::Document;
use crate::locate;

pub use content::{is_envelope, is_success};
pub use paths::{Param, PathOp, PathTemplate, Segment, TAB_DELIMITED};
pub use refs::{ref_to_pointer, Meta};
pub use schema::{Props, RustHead, RustKind};
pub use security::{Requirement, SecurityList};

/// A reference or nesting problem that makes the document unusable.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("{}:{line}: `$ref: {}` at {} points to nothing in this document; define the target under `{}` or correct the reference", crate::escape::shown(.file), crate::escape::shown(.reference), crate::escape::shown(.pointer), crate::escape::shown(.section))]
    MissingRef {
        file: String,
        line: usize,
        pointer: String,
        reference: String,
        /// The document's top-level member the reference points into, as written
        /// (`definitions` in Swagger 2.0, `components` in OpenAPI 3).
        section: String,
    },
    #[error("{}:{line}: `$ref: {}` at {} refers to another file or URL; bundle the document into one file first (for example `npx @redocly/cli bundle`)", crate::escape::shown(.file), crate::escape::shown(.reference), crate::escape::shown(.pointer))]
    ExternalRef {
        file: String,
        line: usize,
        pointer: String,
        reference: String,
    },
    #[error("{}:{line}: the schema at {} nests too deeply: {what}; this generator follows at most {limit} (see \"Limits\" in its README)", crate::escape::shown(.file), crate::escape::shown(.pointer))]
    TooDeep {
        file: String,
        line: usize,
        pointer: String,
        /// What exceeded the limit, in words.
        what: &'static str,
        limit: usize,
    },
    #[error("{}:{line}: circular `$ref` alias {}: each only points to the next, so none defines a schema; make one of them a real schema", crate::escape::shown(.file), crate::escape::shown(.cycle))]
    RefCycle {
        file: String,
        line: usize,
        cycle: String,
    },
}

/// One document, read through the OpenAPI rules. Cheap to copy: it borrows the document.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    raw: &'a Value,
    /// The document's name, as errors show it.
    file: &'a str,
    /// The text the document was parsed from, for the lines errors name (may be empty).
    text: &'a str,
    /// Where normalized nodes came from, so errors name the line of the document as written.
    origins: Option<&'a crate::load::Origins>,
    /// An OpenAPI 3.2 document: the `query` method and `additionalOperations` hold operations.
    v32: bool,
    /// Nodes found before, when the reader asks for the same pointers again and again.
    memo: Option<&'a PointerMemo<'a>>,
    /// The steps [`Spec::fits`] may still take in all (see [`Spec::with_fit_budget`]).
    fit_steps: Option<&'a std::cell::Cell<usize>>,
}

/// Nodes already found by pointer, with the parent of each: building the IR asks for the same
/// long pointers (a property of a response body under a path) many times, and for their
/// siblings, so a pointer asked again costs one hash lookup and a sibling one step, instead of
/// a walk from the root through every token. Holds only what was asked, and only pointers up
/// to [`MEMO_POINTER_BYTES`] long until it holds [`MEMO_BYTES`] of them (a document's keys
/// are the pointers' text, and a hostile one may make every pointer huge); single-threaded.
#[derive(Default)]
pub struct PointerMemo<'a> {
    nodes: RefCell<HashMap<Box<str>, Option<&'a Value>, foldhash::fast::RandomState>>,
    /// The bytes of the pointers held.
    bytes: std::cell::Cell<usize>,
    /// Where `$ref`s lead from each node holding one that was followed ([`refs::Followed`]):
    /// a chain of long-named aliases used by thousands of properties was walked again, name
    /// by name, for each. Bounded like `nodes`, by [`MEMO_BYTES`] of pointers and keywords.
    followed: RefCell<HashMap<Box<str>, refs::Followed, foldhash::fast::RandomState>>,
    /// The bytes `followed` holds.
    followed_bytes: std::cell::Cell<usize>,
    /// Response bodies' properties, by the pointer asked for ([`Spec::fields`]): paging
    /// detection asks a body for about 25 paths, and many operations may share the body.
    fields: RefCell<HashMap<Box<str>, std::rc::Rc<paging::Fields>, foldhash::fast::RandomState>>,
    /// The bytes of the names and pointers `fields` holds.
    fields_bytes: std::cell::Cell<usize>,
}

/// The longest pointer the memo keeps; longer ones are walked each time. Real documents'
/// pointers are a few hundred bytes.
const MEMO_POINTER_BYTES: usize = 2048;

/// The pointer bytes the memo keeps at most (the whole Cloudflare API needs about a tenth).
const MEMO_BYTES: usize = 128 << 20;

impl std::fmt::Debug for PointerMemo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PointerMemo({} pointers)", self.nodes.borrow().len())
    }
}

impl<'a> PointerMemo<'a> {
    fn fields(&self, ptr: &str) -> Option<std::rc::Rc<paging::Fields>> {
        self.fields.borrow().get(ptr).cloned()
    }

    /// Keeps `fields` for `ptr` while the fields held stay within [`MEMO_BYTES`] (a document
    /// of long `allOf` chains could make their sum grow with the square of its size).
    fn remember_fields(&self, ptr: &str, fields: &std::rc::Rc<paging::Fields>) {
        if ptr.len() <= MEMO_POINTER_BYTES {
            keep_within(&self.fields, &self.fields_bytes, ptr, fields.clone(), ptr.len() + fields.bytes());
        }
    }

    /// [`locate::get`] of `root`, remembered.
    fn get(&self, root: &'a Value, ptr: &str) -> Option<&'a Value> {
        if ptr.len() > MEMO_POINTER_BYTES {
            return locate::get(root, ptr);
        }
        if let Some(found) = self.nodes.borrow().get(ptr) {
            return *found;
        }
        // `""` and `"/"` are the root for `locate::get`, so a parent spelled so is not looked
        // up by that spelling; such short pointers are one or two steps anyway.
        let Some((parent, token)) = ptr.rsplit_once('/').filter(|(parent, _)| !matches!(*parent, "" | "/")) else {
            return locate::get(root, ptr);
        };
        let known = self.nodes.borrow().get(parent).copied();
        let parent_node = known.unwrap_or_else(|| {
            let node = locate::get(root, parent);
            self.remember(parent, node);
            node
        });
        let found = parent_node.and_then(|node| locate::step(node, token));
        self.remember(ptr, found);
        found
    }

    /// Remembers where `$ref`s lead from `node`, while the memo's budget lasts.
    fn remember_followed(&self, node: String, followed: refs::Followed) {
        let bytes = node.len() + followed.bytes();
        keep_within(&self.followed, &self.followed_bytes, &node, followed, bytes);
    }

    fn remember(&self, ptr: &str, node: Option<&'a Value>) {
        keep_within(&self.nodes, &self.bytes, ptr, node, ptr.len());
    }
}

/// Puts `value` in `map` under `key` while the bytes `held` (counting this entry's `bytes`)
/// stay within [`MEMO_BYTES`]; past that, nothing more is kept.
fn keep_within<V>(map: &RefCell<HashMap<Box<str>, V, foldhash::fast::RandomState>>, held: &std::cell::Cell<usize>, key: &str, value: V, bytes: usize) {
    if held.get() + bytes <= MEMO_BYTES {
        held.set(held.get() + bytes);
        map.borrow_mut().insert(key.into(), value);
    }
}

impl<'a> Spec<'a> {
    pub fn new(doc: &'a Document) -> Self {
        Spec {
            raw: &doc.raw,
            file: &doc.name,
            text: &doc.text,
            origins: Some(&doc.origins),
            v32: doc.version >= crate::load::Version::V32,
            memo: None,
            fit_steps: None,
        }
    }

    /// The same reader, remembering in `memo` the nodes it finds.
    pub fn with_memo(self, memo: &'a PointerMemo<'a>) -> Self {
        Spec { memo: Some(memo), ..self }
    }

    /// Shares `steps` among every [`Spec::fits`] of this reader: each check is bounded on its
    /// own, but a document can ask for one per union variant and sample node, each as costly
    /// (12,000 variants took 83 s). Once they are spent no value fits.
    pub fn with_fit_budget(self, steps: &'a std::cell::Cell<usize>) -> Self {
        Spec { fit_steps: Some(steps), ..self }
    }

    /// A document known only as a tree (errors then name no file and line 1).
    pub fn from_value(raw: &'a Value) -> Self {
        let v32 = raw.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.2"));
        Spec { raw, file: "", text: "", origins: None, v32, memo: None, fit_steps: None }
    }

    pub fn get(&self, ptr: &str) -> Option<&'a Value> {
        match self.memo {
            Some(memo) => memo.get(self.raw, ptr),
            None => locate::get(self.raw, ptr),
        }
    }

    pub fn object(&self, ptr: &str) -> Option<&'a Map<String, Value>> {
        self.get(ptr).and_then(Value::as_object)
    }

    /// The line `ptr` starts on, or 1 when it cannot be found.
    fn line(&self, ptr: &str) -> usize {
        match self.origins {
            Some(o) if !o.is_empty() => locate::line_of(self.text, &o.original(ptr)).unwrap_or(1),
            _ => locate::line_of(self.text, ptr).unwrap_or(1),
        }
    }

    /// The pointer of the node at `ptr` in the document as written (normalization and the 2.0
    /// conversion move nodes), which messages name.
    fn written(&self, ptr: &str) -> String {
        match self.origins {
            Some(o) => o.original(ptr),
            None => ptr.to_string(),
        }
    }

    /// Where `ptr` is, as messages name it: the file, the line and the pointer as written.
    pub fn place(&self, ptr: &str) -> (String, usize, String) {
        (self.file.to_string(), self.line(ptr), self.written(ptr))
    }

    /// The error for a schema at `ptr` beyond [`MAX_SCHEMA_DEPTH`].
    pub fn too_deep(&self, ptr: &str, what: &'static str) -> SpecError {
        SpecError::TooDeep {
            file: self.file.to_string(),
            line: self.line(ptr),
            pointer: self.written(ptr),
            what,
            limit: MAX_SCHEMA_DEPTH,
        }
    }
}

/// The name of the component schema `ptr` is (`/components/schemas/{name}`), unescaped; `None`
/// for anything else, including a place inside a component.
pub fn component_name(ptr: &str) -> Option<String> {
    let rest = ptr.strip_prefix("/components/schemas/")?;
    (!rest.contains('/')).then(|| locate::unescape_token(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memo answers exactly what a walk from the root answers, asked in any order and
    /// again: the root's two spellings, empty keys, escapes, array indexes, missing nodes.
    #[test]
    fn memo_answers_as_the_walk_does() {
        let raw = serde_json::json!({
            "": {"a": 1, "": {"b": 2}},
            "a": {"b/c": [10, {"d~e": 3}], "x": null},
            "p": {"~1q": 4},
        });
        let pointers = [
            "", "/", "//", "//a", "///b", "/a", "/a/", "/a/b~1c", "/a/b~1c/0", "/a/b~1c/1/d~0e", "/a/b~1c/01",
            "/a/b~1c/+1", "/a/b~1c/2", "/a/x", "/a/x/y", "/p/~01q", "/p/~1q", "/missing/deeper/still", "a", "a/b",
        ];
        let memo = PointerMemo::default();
        let spec = Spec::from_value(&raw).with_memo(&memo);
        for round in 0..2 {
            for ptr in pointers.iter().chain(pointers.iter().rev()) {
                assert_eq!(spec.get(ptr), locate::get(&raw, ptr), "{ptr:?}, round {round}");
            }
        }
        assert!(memo.nodes.borrow().len() >= pointers.len() - 4, "what was asked is remembered");
    }

    /// A pointer of many thousand tokens is one walk, not a recursion per token.
    #[test]
    fn memo_follows_a_very_long_pointer_without_recursing() {
        let mut raw = Value::Null;
        for _ in 0..100 {
            raw = serde_json::json!({ "a": raw });
        }
        let memo = PointerMemo::default();
        let spec = Spec::from_value(&raw).with_memo(&memo);
        let long = "/a".repeat(200_000);
        assert_eq!(spec.get(&long), None);
        assert_eq!(spec.get(&"/a".repeat(100)), Some(&Value::Null));
        // Neither the long pointer nor its parent is kept: the memo holds what it may.
        assert!(memo.nodes.borrow().keys().all(|k| k.len() <= MEMO_POINTER_BYTES));
        assert!(memo.bytes.get() <= MEMO_BYTES);
    }
}
