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
}

impl<'a> Spec<'a> {
    pub fn new(doc: &'a Document) -> Self {
        Spec { raw: &doc.raw, file: &doc.name, text: &doc.text, origins: Some(&doc.origins), v32: doc.version >= crate::load::Version::V32 }
    }

    /// A document known only as a tree (errors then name no file and line 1).
    pub fn from_value(raw: &'a Value) -> Self {
        let v32 = raw.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.2"));
        Spec { raw, file: "", text: "", origins: None, v32 }
    }

    pub fn get(&self, ptr: &str) -> Option<&'a Value> {
        locate::get(self.raw, ptr)
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
