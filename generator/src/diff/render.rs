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
        if let Some(s) = &report.semver {
            let _ = writeln!(out, "{}", escape_text(&semver_line(s)));
        }
        return out;
    }
    let _ = writeln!(
        out,
        "{}: {}",
        plural(report.changes.len(), "API change", "API changes"),
        counts(report)
    );
    if let Some(s) = &report.semver {
        let _ = writeln!(out, "{}", escape_text(&semver_line(s)));
    }
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

/// `Generated crate: 0.1.0 → 0.2.0, …`: the version bump the Rust-API changes need.
fn semver_line(s: &super::Semver) -> String {
    format!("Generated crate: {} → {} ({}).", s.from, s.to, s.reason)
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

/// How much of a report a pull-request comment holds.
#[derive(Debug, Clone, Copy)]
pub struct CommentLimits<'a> {
    /// The comment's size limit in bytes (at least its characters): GitHub holds 65,536
    /// characters in a comment.
    pub max_bytes: usize,
    /// Where the full report is, named in the note about rows left out.
    pub full_report: Option<&'a str>,
}

/// What [`render_markdown_comment`] stays under by default, with room to spare for GitHub's
/// 65,536.
pub const COMMENT_MAX_BYTES: usize = 60_000;

/// Rows shown outside the folded `<details>`: the most important, breaking first.
pub const SHOWN_ROWS: usize = 50;

/// Resources listed in the counts by resource (the ones with most changes).
const SHOWN_RESOURCES: usize = 20;

/// For a pull-request comment, whole: counts by change and by resource, the [`SHOWN_ROWS`] most
/// important rows (breaking first) in tables by level, every other row folded in `<details>`,
/// then the generated-code summary when one is given. [`render_markdown_comment`] is the same,
/// cut to fit a comment.
pub fn render_markdown(report: &Report, code: Option<&CodeSummary>) -> String {
    markdown(report, code, None)
}

/// [`render_markdown`] within `limits`: rows that do not fit are left out, least important
/// first, and a note says how many and where the full report is; each cell is cut to a few
/// hundred characters.
pub fn render_markdown_comment(report: &Report, code: Option<&CodeSummary>, limits: &CommentLimits) -> String {
    markdown(report, code, Some(limits))
}

/// The resource an operation belongs to, for the counts: the first two literal segments of its
/// path (`GET /accounts/{account_id}/access/users` → `accounts/access`).
fn resource_of(c: &Change) -> String {
    let Some(op) = &c.operation else { return "(document)".to_string() };
    let path = op.split_once(' ').map_or(op.as_str(), |(_, p)| p);
    let literal: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && !s.starts_with('{')).take(2).collect();
    if literal.is_empty() {
        "/".to_string()
    } else {
        literal.join("/")
    }
}

/// Longest cell, in characters, in a comment (the JSON and the full report keep every cell).
const MAX_CELL_CHARS: usize = 300;

fn cut_cell(s: &str, cut: bool) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) if cut => format!("{}…", &s[..i]).into(),
        _ => s.into(),
    }
}

/// The counts before the rows: by change (id and level) and by resource.
fn counts_by_group(out: &mut String, report: &Report) {
    let mut by_kind: std::collections::BTreeMap<(Level, &'static str), usize> = Default::default();
    let mut by_resource: std::collections::BTreeMap<String, [usize; 3]> = Default::default();
    for c in &report.changes {
        *by_kind.entry((c.level, c.kind.id())).or_default() += 1;
        by_resource.entry(resource_of(c)).or_default()[c.level as usize] += 1;
    }
    let mut kinds: Vec<_> = by_kind.into_iter().collect();
    kinds.sort_by(|a, b| (a.0 .0, std::cmp::Reverse(a.1), a.0 .1).cmp(&(b.0 .0, std::cmp::Reverse(b.1), b.0 .1)));
    out.push_str("\n**By change:**\n\n");
    for ((level, id), n) in kinds {
        let _ = writeln!(out, "- `{id}` ({level}): {n}");
    }
    let mut resources: Vec<_> = by_resource.into_iter().collect();
    let total = |n: &[usize; 3]| n.iter().sum::<usize>();
    resources.sort_by(|a, b| (std::cmp::Reverse(a.1[0]), std::cmp::Reverse(total(&a.1)), &a.0).cmp(&(std::cmp::Reverse(b.1[0]), std::cmp::Reverse(total(&b.1)), &b.0)));
    let _ = writeln!(
        out,
        "\n**By resource** ({} in all{}):\n",
        resources.len(),
        if resources.len() > SHOWN_RESOURCES { format!(", the {SHOWN_RESOURCES} with most breaking changes") } else { String::new() }
    );
    for (resource, n) in resources.iter().take(SHOWN_RESOURCES) {
        let _ = writeln!(
            out,
            "- {}: {} ({})",
            md_code(resource, false),
            total(n),
            [(n[0], "breaking"), (n[1], "warning"), (n[2], "info")]
                .iter()
                .filter(|(k, _)| *k > 0)
                .map(|(k, l)| format!("{k} {l}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn markdown(report: &Report, code: Option<&CodeSummary>, limits: Option<&CommentLimits>) -> String {
    let cut = limits.is_some();
    let mut out = String::new();
    out.push_str("## API changes\n\n");
    let mut left_out = 0;
    if report.changes.is_empty() {
        out.push_str("No API changes.\n");
    } else {
        let worst = match report.worst() {
            Some(Level::Breaking) => ":red_circle: ",
            Some(Level::Warning) => ":warning: ",
            _ => "",
        };
        let _ = writeln!(out, "{worst}{}.", counts(report));
        if let Some(s) = &report.semver {
            let _ = writeln!(out, "\n{}", escape_markdown(&semver_line(s)));
        }
        if report.changes.len() > SHOWN_ROWS {
            counts_by_group(&mut out, report);
            let _ = writeln!(out, "\nThe {SHOWN_ROWS} most important changes are listed, breaking first; the others are folded.");
        }
    }
    let tail = code.map(code_section).unwrap_or_default();
    // Room for the rows: the limit less the head, the tail, the note and the closing tags.
    const RESERVE: usize = 600;
    let budget = limits.map_or(usize::MAX, |l| l.max_bytes.saturating_sub(out.len() + tail.len() + RESERVE));
    let mut rows = String::new();
    let mut shown = 0;
    for level in LEVELS {
        let changes: Vec<&Change> = report.changes.iter().filter(|c| c.level == level).collect();
        if changes.is_empty() {
            continue;
        }
        // Once a row did not fit, the less important ones are left out too.
        if left_out > 0 {
            left_out += changes.len();
            continue;
        }
        let title = match level {
            Level::Breaking => "Breaking changes",
            Level::Warning => "Warnings",
            Level::Info => "Info",
        };
        const HEAD: &str = "| Operation | Change | Id | Location |\n| --- | --- | --- | --- |\n";
        // The rows shown, then those folded; each row only while it fits.
        let visible = SHOWN_ROWS.saturating_sub(shown).min(changes.len());
        let (mut open, mut folded) = (String::new(), String::new());
        let (mut n_open, mut n_folded) = (0, 0);
        // Headings, table heads and the fold's tags, counted before they are written.
        const OVERHEAD: usize = 2 * HEAD.len() + 200;
        for (n, c) in changes.iter().enumerate() {
            let row = format!(
                "| {} | {} | `{}` | {} |\n",
                c.operation.as_deref().map(|o| md_code(&cut_cell(o, cut), true)).unwrap_or_default(),
                md_message(&cut_cell(&c.message, cut)),
                c.kind,
                md_code(&cut_cell(&c.location, cut), true)
            );
            if rows.len() + open.len() + folded.len() + row.len() + OVERHEAD > budget {
                left_out += changes.len() - n;
                break;
            }
            if n < visible {
                open.push_str(&row);
                n_open += 1;
            } else {
                folded.push_str(&row);
                n_folded += 1;
            }
        }
        if n_open + n_folded == 0 {
            continue;
        }
        let _ = write!(rows, "\n### {title} ({})\n\n", changes.len());
        if n_open > 0 {
            rows.push_str(HEAD);
            rows.push_str(&open);
        }
        if n_folded > 0 {
            let listed = if n_open + n_folded < changes.len() { format!(", {n_folded} listed here") } else { String::new() };
            let _ = write!(
                rows,
                "{}<details><summary>{} more {}{listed}</summary>\n\n{HEAD}{folded}\n</details>\n",
                if n_open > 0 { "\n" } else { "" },
                changes.len() - n_open,
                title.to_lowercase()
            );
        }
        shown += n_open;
    }
    out.push_str(&rows);
    if left_out > 0 {
        let where_ = match limits.and_then(|l| l.full_report) {
            Some(f) => format!("The full report: {}.", md_code(f, false)),
            None => "Run `cargo xtask spec-diff --out-full FILE` for the full report.".to_string(),
        };
        let _ = writeln!(
            out,
            "\n> **{} of {} not listed** (the least important), to keep this comment within a pull-request comment's size. {where_}",
            left_out,
            plural(report.changes.len(), "change", "changes"),
        );
    }
    out.push_str(&tail);
    out
}

/// The generated-code summary.
fn code_section(code: &CodeSummary) -> String {
    let mut out = String::new();
    out.push_str("\n### Generated code\n\n");
    {
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
    let mut value = serde_json::json!({ "changes": changes });
    if let Some(s) = &report.semver {
        value["semver"] = serde_json::json!({ "bump": s.needed.as_str(), "from": s.from, "to": s.to, "reason": s.reason });
    }
    let mut s = escape_json(&serde_json::to_string_pretty(&value).expect("JSON values always serialize"));
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

/// Annotations [`render_github`] writes at most: GitHub shows 50 per job.
pub const MAX_ANNOTATIONS: usize = 50;

/// GitHub Actions workflow commands (`::error`, `::warning`, `::notice`), placed on NEW's file at
/// the line of the change, or of its nearest surviving parent for a removal: one per change
/// when there are at most [`MAX_ANNOTATIONS`], else the most important ones (breaking first)
/// and a last `::notice` saying how many are not annotated.
pub fn render_github(report: &Report, new: &Document) -> String {
    let file = annotation_file(&new.name);
    let annotated = if report.changes.len() <= MAX_ANNOTATIONS { report.changes.len() } else { MAX_ANNOTATIONS - 1 };
    let changes = &report.changes[..annotated];
    // Lines found in one pass over the text; a one-line document has only line 1.
    let has_lines = new.text.trim_end().contains('\n');
    let located = if has_lines {
        lines_in(new, changes.iter().map(|c| c.location.as_str()))
    } else {
        Vec::new()
    };
    let mut out = String::new();
    for (i, c) in changes.iter().enumerate() {
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
    if annotated < report.changes.len() {
        let rest = report.changes.len() - annotated;
        let _ = writeln!(
            out,
            "::notice title=more API changes::{rest} more changes ({}) are not annotated; the spec-diff report lists them all",
            counts(&Report { changes: report.changes[annotated..].to_vec(), semver: None })
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
