//! Reports as text (terminal), markdown (pull-request comment), JSON and GitHub annotations.
//!
//! Operations, locations and messages carry strings from the documents (path keys, property
//! names, operation ids), and the documents come from pull requests. Each format passes every
//! such string through its own escaping, so none can act on the reader's screen: [`escape_text`]
//! (terminal), [`md_code`] and [`md_text`] (markdown), [`escape_data`]/[`escape_property`]
//! (workflow commands) and [`escape_json`].

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
            let _ = writeln!(out, "  {}: {}", escape_text(op), escape_text(&c.message));
            let _ = writeln!(out, "      {} at {}", c.kind, escape_text(&c.location));
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

/// Whether `c` must not reach a reader raw: C0 and C1 controls (line breaks and tabs
/// included), DEL, the bidirectional marks, embeddings, overrides and isolates (which reorder
/// what is shown), and the Unicode line and paragraph separators.
fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// The visible escape of a hazard: `\n`, `\r`, `\t`, else `\u{1b}` (Rust's notation).
fn push_hazard(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// A string from a document for a terminal or a log: every control character, bidi control
/// and line separator shown as an escape, so the text cannot move the cursor, colour, ring,
/// rewrite a line or reorder what is shown. Printable text, backslashes included, is kept.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hazard(c) {
            push_hazard(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// A string from a document as one markdown code span that nothing in it can close early (see
/// [`super::code`] for the fence). Hazards are escaped as in
/// [`escape_text`]; in a table cell, `|` is escaped too (GFM splits cells on it even inside
/// code). Mentions, HTML and links are inert inside a code span.
fn md_code(s: &str, in_table: bool) -> String {
    let mut content = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_hazard(c) => push_hazard(&mut content, c),
            '|' if in_table => content.push_str("\\|"),
            c => content.push(c),
        }
    }
    super::code(&content)
}

/// Plain markdown text from a string that may hold document text: hazards escaped, markdown
/// punctuation backslash-escaped (no emphasis, links, images, code spans, table cells), `<`,
/// `>` and `&` as entities (no HTML), and `@` in a code span of its own (GitHub forms mentions
/// only in plain text).
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_hazard(c) => push_hazard(&mut out, c),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("`@`"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A note made of document text (an error message, say) for a markdown comment: see
/// [`md_text`].
pub fn escape_markdown(s: &str) -> String {
    md_text(s)
}

/// A message for a table cell: its code spans (as [`super::code`] writes them) become
/// [`md_code`] spans, the rest [`md_text`]. Backticks that open no span (a run with no equal
/// run after it) are text, as CommonMark reads them.
fn md_message(msg: &str) -> String {
    let mut out = String::new();
    let mut text = String::new();
    let mut rest = msg;
    while let Some(start) = rest.find('`') {
        text.push_str(&rest[..start]);
        let after = &rest[start..];
        let n = after.len() - after.trim_start_matches('`').len();
        let inner = &after[n..];
        match find_run(inner, n) {
            Some(end) => {
                out.push_str(&md_text(&std::mem::take(&mut text)));
                let content = &inner[..end];
                // CommonMark strips one space from each end unless the content is all spaces.
                let all_spaces = content.bytes().all(|b| b == b' ');
                let content = match content.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                    Some(c) if !all_spaces => c,
                    _ => content,
                };
                out.push_str(&md_code(content, true));
                rest = &inner[end + n..];
            }
            None => {
                text.push_str(&after[..n]);
                rest = inner;
            }
        }
    }
    text.push_str(rest);
    out.push_str(&md_text(&text));
    out
}

/// The byte offset in `s` of the first run of exactly `n` backticks.
fn find_run(s: &str, n: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
            if run == n {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
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
                    "| {} | {} | `{}` | {} |",
                    c.operation
                        .as_deref()
                        .map(|o| md_code(o, true))
                        .unwrap_or_default(),
                    md_message(&c.message),
                    c.kind,
                    md_code(&c.location, true)
                );
            }
            if fold {
                out.push_str("\n</details>\n");
            }
        }
    }
    if let Some(code) = code {
        out.push_str("\n### Generated code\n\n");
        if code.is_empty() {
            let _ = writeln!(out, "No change in the generated code.");
        } else {
            let _ = writeln!(
                out,
                "{} ({} added, {} removed), +{} −{} lines.",
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
                    let _ = writeln!(out, "- {} in {}", md_code(&i.item, false), md_code(&i.file, false));
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
                "id": c.kind.id(),
                "level": c.level.as_str(),
                "operation": c.operation,
                "location": c.location,
                "message": c.message,
            })
        })
        .collect();
    let mut s = escape_json(
        &serde_json::to_string_pretty(&serde_json::json!({ "changes": changes }))
            .expect("JSON values always serialize"),
    );
    s.push('\n');
    s
}

/// serde_json escapes C0 controls, quotes and backslashes; the other hazards (DEL, C1 controls
/// such as the one-byte CSI, bidi controls, line separators) are valid raw in JSON but act on a
/// terminal that shows it, so they become `\uXXXX` too. They can only occur inside strings
/// (JSON's own syntax is ASCII), and all lie in the Basic Multilingual Plane.
fn escape_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_hazard(c) && c != '\n' {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
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
        let title = format!("{} ({})", c.kind, c.level);
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

/// One `::warning` workflow command on `file` at `line`, escaped as [`render_github`]'s are: for
/// notes about a comparison that are not API changes (an overlay action that stopped matching).
pub fn github_warning(file: &str, line: usize, title: &str, message: &str) -> String {
    format!(
        "::warning file={},line={line},title={}::{}\n",
        escape_property(&annotation_file(file)),
        escape_property(title),
        escape_data(message)
    )
}

/// One `::notice` workflow command with no file, escaped as [`render_github`]'s are: for what a
/// comparison compared.
pub fn github_notice(title: &str, message: &str) -> String {
    format!("::notice title={}::{}\n", escape_property(title), escape_data(message))
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

/// A workflow command's message: the runner's own escapes for `%`, CR and LF (it turns them
/// back into the characters in the annotation), and every other hazard as a visible escape (the
/// runner would print it raw into the log).
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_hazard(c) => push_hazard(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A workflow command's property value: [`escape_data`], and `:` and `,`, which end a value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code spans and the plain text of a markdown line, as CommonMark reads it.
    fn read(md: &str) -> (Vec<String>, String) {
        use pulldown_cmark::{Event, Parser};
        let (mut code, mut text) = (Vec::new(), String::new());
        for e in Parser::new(md) {
            match e {
                Event::Code(c) => code.push(c.to_string()),
                Event::Text(t) => text.push_str(&t),
                _ => {}
            }
        }
        (code, text)
    }

    #[test]
    fn a_code_span_holds_any_string_whole() {
        for s in ["`", "``", "a`b", "`a", "a`", " a ", " ` ", "```x``y`", "@org/team", "<b>x</b>", "[l](u)", "  ", ""] {
            let msg = format!("before {} after", crate::diff::code(s));
            let (code, text) = read(&md_message(&msg));
            let want = if s.is_empty() { " " } else { s };
            assert_eq!(code, [want], "{s:?} → {}", md_message(&msg));
            assert_eq!(text, "before  after", "{s:?}");
        }
    }

    #[test]
    fn unmatched_backticks_and_markup_stay_text() {
        let (code, text) = read(&md_message("a ` b `` c @team <i>x</i> [l](u) *e* \\"));
        assert_eq!(code, ["@"], "only the mention's `@` is code");
        assert_eq!(text, "a ` b `` c team <i>x</i> [l](u) *e* \\");
    }

    #[test]
    fn hazards_become_visible_escapes() {
        assert_eq!(escape_text("a\nb\r\u{1b}[0m\u{7}\u{202e}\u{9b}\t"), "a\\nb\\r\\u{1b}[0m\\u{7}\\u{202e}\\u{9b}\\t");
        assert_eq!(escape_data("50%\n\u{1b}"), "50%25%0A\\u{1b}");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(escape_json("\"\u{202e}\u{9b}\u{7f}\"\n"), "\"\\u202e\\u009b\\u007f\"\n");
    }
}
