//! Spec diff: what changed between two OpenAPI documents, and what it means for users of the
//! generated crate.
//!
//! Both documents are compared *resolved*, read through the same `spec` layer the generator
//! builds from: `$ref`s are followed on the raw JSON (siblings of a `$ref` such as `nullable` or
//! `readOnly` are part of the schema), `allOf` is flattened the way the generator flattens it (a
//! property defined again in a later branch replaces the earlier definition), a schema's Rust
//! type is the generator's, and recursion is cut by the pair of schemas being compared, so
//! renaming a component without changing its structure reports nothing. Operations match on
//! method plus path template with the parameter names ignored (`/a/{id}` is `/a/{user_id}`).
//!
//! Every [`Change`] has a stable kebab-case id (its [`ChangeKind`]), a [`Level`], the operation, a
//! JSON pointer (into NEW, or into OLD for removals) and a one-line message. The level follows the
//! direction of the change (narrowing a request or widening a response breaks clients) and the
//! generated Rust API: anything that changes the Rust type of a generated field, argument or
//! variant set is `breaking` (see [`rust_type`]).
//!
//! Response parts that no generated type is made of are reported as `info`, with the reason in
//! the message: the members of a Cloudflare envelope (`{success, errors, messages, result,
//! result_info}`, which the generator unwraps to `result` when OLD and NEW are both envelopes)
//! are decoded by the runtime's fixed, lenient types (`ResponseInfo`, `ResultInfo`), and
//! failure bodies (4XX, 5XX, `default`) by the runtime's `ApiError`. The exception is an
//! envelope member that changes its own shape (`errors` no longer an array, say): the runtime's
//! fixed type may stop decoding it, a `warning`. A success body that becomes an envelope, or
//! stops being one, changes what the generated method returns: `response-envelope-changed`.

mod code_summary;
mod compare;
mod kind;
mod ops;
mod render;
mod resolve;
mod rust_api;
mod rust_type;

pub use code_summary::{CodeSummary, ItemChange, ItemKind};
pub use kind::ChangeKind;
pub use rust_api::{Bump, Semver};
pub use render::{escape_markdown, escape_text, github_warning, render_github, render_markdown_comment, CommentLimits, COMMENT_MAX_BYTES, MAX_ANNOTATIONS, SHOWN_ROWS, render_json, render_markdown, render_text};

/// `s` as a code span in a message: between backtick fences one longer than the longest run
/// of backticks in `s`, padded with a space where `s` starts or ends with a backtick, or with a
/// space at both ends (CommonMark strips one from each side), so a document string cannot end
/// the span early and a CommonMark reader gets `s` back whole. An empty `s` shows as one space.
pub(crate) fn code(s: &str) -> String {
    if s.is_empty() {
        return "` `".to_string();
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = s.starts_with('`')
        || s.ends_with('`')
        || (s.starts_with(' ') && s.ends_with(' ') && !s.trim_start_matches(' ').is_empty());
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

use crate::load::Document;

/// How much a change matters to users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Existing client code stops compiling or stops working.
    Breaking,
    /// Probably fine, but worth a look (a stricter server, a deprecation).
    Warning,
    /// Additions and other compatible changes.
    Info,
}

impl Level {
    /// `breaking`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Breaking => "breaking",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }

    /// Parses `breaking`, `warning` or `info`.
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "breaking" => Some(Level::Breaking),
            "warning" => Some(Level::Warning),
            "info" => Some(Level::Info),
            _ => None,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One API change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed; its id is stable.
    pub kind: ChangeKind,
    /// How it affects users of the API and of the generated crate.
    pub level: Level,
    /// `GET /path` (the path as written in NEW, or in OLD for a removed endpoint).
    pub operation: Option<String>,
    /// JSON pointer into NEW, or into OLD for removals.
    pub location: String,
    /// One line, for people.
    pub message: String,
}

/// Everything that changed, sorted by level, operation, location, id (then message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes, in that order.
    pub changes: Vec<Change>,
    /// The version bump the generated crate needs, from the `rust-*` changes; `None` when the
    /// Rust APIs could not be compared.
    pub semver: Option<Semver>,
}

impl Report {
    /// How many changes have this level.
    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level == level).count()
    }

    /// The most severe level present, if any change was found.
    pub fn worst(&self) -> Option<Level> {
        self.changes.iter().map(|c| c.level).min()
    }
}

/// Compares two loaded documents: the wire changes, and the Rust-API changes of the crates they
/// generate with the default configuration.
pub fn diff_documents(old: &Document, new: &Document) -> Report {
    diff_documents_with(old, new, &crate::Config::default())
}

/// [`diff_documents`], generating both crates with `config` (the crate's own `codegen.yaml`,
/// whose names and placement decide its Rust API).
pub fn diff_documents_with(old: &Document, new: &Document, config: &crate::Config) -> Report {
    let mut changes = ops::diff(&old.raw, &new.raw);
    let (rust, semver) = rust_api::diff(old, new, config);
    changes.extend(rust);
    changes.sort_by(|a, b| {
        (a.level, &a.operation, &a.location, a.kind, &a.message).cmp(&(
            b.level,
            &b.operation,
            &b.location,
            b.kind,
            &b.message,
        ))
    });
    changes.dedup();
    Report { changes, semver }
}
