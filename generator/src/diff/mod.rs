//! Spec diff: what changed between two OpenAPI documents, and what it means for users of the
//! generated crate.
//!
//! Both documents are compared *resolved*: `$ref`s are followed on the raw JSON (siblings of a
//! `$ref` such as `nullable` or `readOnly` are part of the schema), `allOf` is flattened the way
//! the generator flattens it (a property defined again in a later branch replaces the earlier
//! definition), and recursion is cut by the pair of schemas being compared, so renaming a
//! component without changing its structure reports nothing. Operations match on method plus path template with the
//! parameter names ignored (`/a/{id}` is `/a/{user_id}`).
//!
//! Every [`Change`] has a stable kebab-case id (see [`CATALOG`]), a [`Level`], the operation, a
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
mod ops;
mod render;
mod resolve;
mod rust_type;

pub use code_summary::{CodeSummary, ItemChange, ItemKind};
pub use render::{escape_markdown, escape_text, render_github, render_json, render_markdown, render_text};

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
    /// Stable kebab-case id, one of [`CATALOG`].
    pub id: &'static str,
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

/// Compares two loaded documents.
pub fn diff_documents(old: &Document, new: &Document) -> Report {
    let mut changes = ops::diff(&old.raw, &new.raw);
    changes.sort_by(|a, b| {
        (a.level, &a.operation, &a.location, a.id, &a.message).cmp(&(
            b.level,
            &b.operation,
            &b.location,
            b.id,
            &b.message,
        ))
    });
    changes.dedup();
    Report { changes }
}

/// Every change id with the levels it can have and what it means.
pub const CATALOG: &[(&str, &str, &str)] = &[
    ("endpoint-added", "info", "a new operation (method + path)"),
    ("endpoint-removed", "breaking", "an operation is gone; its generated method disappears"),
    ("endpoint-deprecated", "warning", "an operation became `deprecated: true`"),
    ("operation-id-changed", "breaking", "operationId changed, added or removed: the generated method is renamed"),
    ("required-request-parameter-added", "breaking", "a new required parameter: a new argument to supply"),
    ("optional-request-parameter-added", "info", "a new optional parameter"),
    ("request-parameter-removed", "breaking", "a parameter is gone from the generated method"),
    ("request-parameter-became-required", "breaking", "an optional parameter became required"),
    ("request-parameter-became-optional", "breaking", "a required parameter became optional: its Rust type becomes `Option<T>`"),
    ("request-parameter-type-changed", "breaking|warning", "parameter type or format changed: breaking when the Rust type changes, warning when only the format does"),
    ("request-parameter-enum-value-removed", "breaking", "a value the client could send is no longer accepted"),
    ("request-parameter-enum-value-added", "info", "a parameter accepts a new enum value"),
    ("request-parameter-constraint-narrowed", "warning", "maxLength down, minimum up, new pattern, … on a parameter"),
    ("required-request-body-added", "breaking", "a required request body was added"),
    ("optional-request-body-added", "info", "an optional request body was added"),
    ("request-body-removed", "breaking", "the request body is gone from the generated method"),
    ("request-body-became-required", "breaking", "an optional request body became required"),
    ("request-body-became-optional", "breaking", "a required request body became optional: its Rust type becomes `Option<T>`"),
    ("request-media-type-removed", "breaking", "a request media type the client sends is no longer accepted"),
    ("required-request-property-added", "breaking", "a new required request property: a new field to set"),
    ("optional-request-property-added", "info", "a new optional request property"),
    ("request-property-removed", "breaking", "a request property is gone from the generated struct"),
    ("request-property-became-required", "breaking", "an optional request property became required"),
    ("request-property-became-optional", "breaking|info", "a request property became optional: breaking when its Rust field becomes `Option<T>`"),
    ("request-property-type-changed", "breaking|warning", "request schema type or format changed: breaking when the Rust type changes, warning when only the format does"),
    ("request-property-enum-value-removed", "breaking", "a request enum value is no longer accepted"),
    ("request-property-enum-value-added", "info", "a request enum accepts a new value"),
    ("request-property-became-not-nullable", "breaking", "a request property no longer accepts null"),
    ("request-property-became-nullable", "breaking|info", "a request property accepts null: breaking when its Rust field becomes `Option<T>`"),
    ("request-property-constraint-narrowed", "warning", "maxLength down, minimum up, new pattern, … in a request body"),
    ("success-status-removed", "breaking", "a 2xx response the client handled is gone"),
    ("success-status-added", "info", "a new 2xx response"),
    ("response-media-type-removed", "breaking", "a response media type (or the response body) is gone"),
    ("response-envelope-changed", "breaking", "a success body became, or stopped being, a Cloudflare envelope: the generated method returns `result` instead of the whole body, or the reverse"),
    ("response-property-removed", "breaking|info", "a response property is gone from the generated struct (info for envelope members and failure bodies, see below)"),
    ("response-property-added", "info", "a new response property"),
    ("response-property-became-optional", "breaking|info", "a response property may be absent: breaking when its Rust field becomes `Option<T>`"),
    ("response-property-became-nullable", "breaking|info", "a response property may be null: breaking when its Rust field becomes `Option<T>`"),
    ("response-property-became-required", "breaking|info", "a response property became required: breaking when its Rust field stops being `Option<T>`"),
    ("response-property-became-not-nullable", "breaking|info", "a response property is never null: breaking when its Rust field stops being `Option<T>`"),
    ("response-property-type-changed", "breaking|warning|info", "response schema type or format changed: breaking when the Rust type changes, warning when only the format does (or when an envelope member the runtime decodes changes shape)"),
    ("response-enum-value-added", "info|breaking", "a response enum has a new value: info, since every generated enum has a catch-all (see `rust_type::enum_has_catch_all`)"),
    ("response-enum-value-removed", "breaking|info", "a response enum value is gone: breaking for string enums (a Rust variant disappears), info for integer/boolean enums (plain `i64`/`bool`)"),
    ("security-requirement-added", "info|breaking", "a new security alternative: info, or breaking when the operation needed no credentials before"),
    ("nesting-too-deep", "warning", "schemas nest deeper than the generator's limit (see README, Limits); the comparison stops there"),
    ("security-requirement-removed", "breaking", "a security alternative clients may be using is gone"),
];
