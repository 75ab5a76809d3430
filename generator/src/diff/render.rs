//! Reports as text (terminal), markdown (pull-request comment), JSON and GitHub annotations.

use std::fmt::Write as _;

use super::code_summary::{CodeSummary, ItemKind};
use super::{Change, Level, Report};
use crate::load::Document;
use crate::locate;

const LEVELS: [Level; 3] = [Level::Breaking, Level::Warning, Level::Info];

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts(report: &Report) -> String {
    format!(
        "{}, {}, {}",
        plural(report.count(Level::Breaking), "breaking", "breaking"),
        plural(report.count(Level::Warning), "warning", "warnings"),
        plural(report.count(Level::Info), "info", "info"),
    )
}

/// For a terminal: a summary line, then the changes grouped by level.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    if report.changes.is_empty() {
        out.push_str("No API changes.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{}: {}",
        plural(report.changes.len(), "API change", "API changes"),
        counts(report)
    );
    for level in LEVELS {
        let changes: Vec<&Change> = report.changes.iter().filter(|c| c.level == level).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} ({})", heading(level), changes.len());
        for c in changes {
            let op = c.operation.as_deref().unwrap_or("(document)");
            let _ = writeln!(out, "  {op}: {}", c.message);
            let _ = writeln!(out, "      {} at {}", c.id, c.location);
        }
    }
    out
}

fn heading(level: Level) -> &'static str {
    match level {
        Level::Breaking => "Breaking",
        Level::Warning => "Warnings",
        Level::Info => "Info",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// For a pull-request comment: breaking, warnings, info (folded when long), then the
/// generated-code summary when one is given.
pub fn render_markdown(report: &Report, code: Option<&CodeSummary>) -> String {
    let mut out = String::new();
    out.push_str("## API changes\n\n");
    if report.changes.is_empty() {
        out.push_str("No API changes.\n");
    } else {
        let worst = match report.worst() {
            Some(Level::Breaking) => ":red_circle: ",
            Some(Level::Warning) => ":warning: ",
            _ => "",
        };
        let _ = writeln!(out, "{worst}{}.", counts(report));
        for level in LEVELS {
            let changes: Vec<&Change> =
                report.changes.iter().filter(|c| c.level == level).collect();
            if changes.is_empty() {
                continue;
            }
            let title = match level {
                Level::Breaking => "Breaking changes",
                Level::Warning => "Warnings",
                Level::Info => "Info",
            };
            let _ = writeln!(out, "\n### {title} ({})\n", changes.len());
            let fold = level == Level::Info && changes.len() > 10;
            if fold {
                let _ = writeln!(
                    out,
                    "<details><summary>{}</summary>\n",
                    plural(changes.len(), "compatible change", "compatible changes")
                );
            }
            out.push_str("| Operation | Change | Id | Location |\n| --- | --- | --- | --- |\n");
            for c in changes {
                let _ = writeln!(
                    out,
                    "| {} | {} | `{}` | `{}` |",
                    c.operation
                        .as_deref()
                        .map(|o| format!("`{o}`"))
                        .unwrap_or_default(),
                    cell(&c.message),
                    c.id,
                    cell(&c.location)
                );
            }
            if fold {
                out.push_str("\n</details>\n");
            }
        }
    }
    if let Some(code) = code {
        out.push_str("\n### Generated code\n\n");
        let hash_note = match code.hash_lines_changed {
            0 => String::new(),
            n => format!(
                " Besides, the `Inputs hash:` header line changed in {}.",
                plural(n, "file", "files")
            ),
        };
        if code.is_empty() {
            let _ = writeln!(out, "No change in the generated code.{hash_note}");
        } else {
            let _ = writeln!(
                out,
                "{} ({} added, {} removed), +{} −{} lines.{hash_note}",
                plural(
                    code.files_added.len() + code.files_removed.len() + code.files_changed.len(),
                    "file changed",
                    "files changed"
                ),
                code.files_added.len(),
                code.files_removed.len(),
                code.lines_added,
                code.lines_removed
            );
            for (kind, title) in [
                (ItemKind::Removed, "Public items removed"),
                (ItemKind::Changed, "Public items changed"),
                (ItemKind::Added, "Public items added"),
            ] {
                let items: Vec<_> = code.items_of(kind).collect();
                if items.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "\n{title} ({}):", items.len());
                const SHOWN: usize = 25;
                for i in items.iter().take(SHOWN) {
                    let _ = writeln!(out, "- `{}` in `{}`", i.item, i.file);
                }
                if items.len() > SHOWN {
                    let _ = writeln!(out, "- … and {} more", items.len() - SHOWN);
                }
            }
        }
    }
    out
}

/// `{"changes": [{id, level, operation, location, message}, …]}`, pretty-printed.
pub fn render_json(report: &Report) -> String {
    let changes: Vec<serde_json::Value> = report
        .changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "level": c.level.as_str(),
                "operation": c.operation,
                "location": c.location,
                "message": c.message,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&serde_json::json!({ "changes": changes }))
        .expect("JSON values always serialize");
    s.push('\n');
    s
}

/// GitHub Actions workflow commands, one per change (`::error`, `::warning`, `::notice`),
/// placed on NEW's file at the line of the change, or of its nearest surviving parent for a
/// removal.
pub fn render_github(report: &Report, new: &Document) -> String {
    let file = annotation_file(&new.name);
    // Only the first changes get a line (GitHub shows a few dozen annotations per job anyway),
    // found in one pass over the text; a one-line document has only line 1.
    const MAX_LOCATED: usize = 200;
    let has_lines = new.text.trim_end().contains('\n');
    let located = if has_lines {
        let n = report.changes.len().min(MAX_LOCATED);
        lines_in(new, report.changes[..n].iter().map(|c| c.location.as_str()))
    } else {
        Vec::new()
    };
    let mut out = String::new();
    for (i, c) in report.changes.iter().enumerate() {
        let command = match c.level {
            Level::Breaking => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let line = located.get(i).copied().unwrap_or(1);
        let title = format!("{} ({})", c.id, c.level);
        let message = match &c.operation {
            Some(op) => format!("{op}: {}", c.message),
            None => c.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={line},title={}::{}",
            escape_property(&file),
            escape_property(&title),
            escape_data(&message)
        );
    }
    out
}

/// `REV:path` → `path`; a plain path as is.
fn annotation_file(name: &str) -> String {
    if std::path::Path::new(name).exists() {
        return name.trim_start_matches("./").to_string();
    }
    match name.split_once(':') {
        Some((_, path)) => path.to_string(),
        None => name.to_string(),
    }
}

/// The line of each pointer, or of its nearest parent that is in the document and found in the
/// text; 1 when none is.
fn lines_in<'p>(doc: &Document, pointers: impl Iterator<Item = &'p str>) -> Vec<usize> {
    // Each pointer's candidates, longest first.
    let candidates: Vec<Vec<&str>> = pointers
        .map(|pointer| {
            let mut out = Vec::new();
            let mut p = pointer;
            loop {
                if locate::get(&doc.raw, p).is_some() {
                    out.push(p);
                }
                match p.rfind('/') {
                    Some(i) if i > 0 => p = &p[..i],
                    _ => break,
                }
            }
            out
        })
        .collect();
    let all: Vec<&str> = candidates.iter().flatten().copied().collect();
    let mut lines = locate::lines_of(&doc.text, &all).into_iter();
    candidates
        .iter()
        .map(|c| {
            let found: Vec<Option<usize>> = lines.by_ref().take(c.len()).collect();
            found.into_iter().flatten().next().unwrap_or(1)
        })
        .collect()
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
