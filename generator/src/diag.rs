//! Diagnostics: what the generator could not represent faithfully, and where.

use std::fmt;

/// How bad a diagnostic is. `--deny-warnings` turns warnings into failures. What the generator
/// cannot go on with is an error value (`BuildError`, …), never a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generated, but not as the document says (a fallback type, a renamed item, …).
    Warning,
}

/// One finding, with a stable code so tooling and allow-lists can key on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// Stable kebab-case identifier, e.g. `unknown-type`.
    pub code: &'static str,
    /// JSON pointer of the offending node.
    pub pointer: String,
    /// 1-based line in the source, when it could be found.
    pub line: Option<usize>,
    /// What happened, for a reader.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
        };
        // Messages quote names and values from the document, which must not reach a terminal raw.
        let shown = crate::escape::shown;
        write!(f, "{level}[{}]: {} (at {}", self.code, shown(&self.message), shown(&self.pointer))?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        write!(f, ")")
    }
}
