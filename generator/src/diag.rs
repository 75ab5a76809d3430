//! Diagnostics: what the generator could not represent faithfully, and where.

use std::fmt;

/// How bad a diagnostic is. `--deny-warnings` turns warnings into failures. What the generator
/// cannot go on with is an error value (`BuildError`, …), never a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generated, but not as the document says (a fallback type, a renamed item, …).
    Warning,
    /// Generated as the document asks, where that is worth knowing (an operation its SDK hints
    /// leave out). `--deny-warnings` lets these pass.
    Info,
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
            Severity::Info => "info",
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

/// `` `a`, `b` `` and how many more: a warning about many names lists five, since one warning
/// per name would repeat the path or URL each is in.
pub(crate) fn listed<S: AsRef<str>>(names: &[S]) -> String {
    const LISTED: usize = 5;
    let shown: Vec<String> = names.iter().take(LISTED).map(|n| format!("`{}`", n.as_ref())).collect();
    match names.len().checked_sub(LISTED) {
        Some(more) if more > 0 => format!("{} and {more} more", shown.join(", ")),
        _ => shown.join(", "),
    }
}
