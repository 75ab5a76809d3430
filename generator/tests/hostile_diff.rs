//! `spec-diff` on untrusted documents: path keys, property names and operation ids holding
//! newlines, backtick runs, mentions, HTML, links, terminal escapes, BEL, CR and bidi overrides.
//! Every format must show them inert: the markdown comment keeps its table and code spans (read
//! back with a CommonMark parser), the text report and the GitHub annotations keep one line per
//! item with no control character, and the JSON carries the names exactly, escaped.

use generator::diff::{diff_documents, render_github, render_json, render_markdown, render_text, Report};
use generator::{load_bytes, Document};
use serde_json::json;

/// A path key that tries every trick at once.
const PATH: &str = "/x\n| injected | row | cell |\n@org/team <img src=x onerror=alert(1)> [click](https://evil.example) \u{1b}[31mRED\u{7}\rFORGED \u{202e}exe.txt \u{9b}2J";
/// Backtick runs that would close a code span of any length up to three.
const TICKS: &str = "/y/`/``/```/@org/team`<b>bold</b>`";
const PROP: &str = "p`` @org/team ``\n<img src=x>\u{1b}]8;;https://evil.example\u{7}link\u{1b}]8;;\u{7}";
const OP_ID: &str = "op` @org/team <script>x</script>";

fn op(id: &str) -> serde_json::Value {
    json!({"operationId": id, "responses": {"204": {"description": "none"}}})
}

fn body(props: serde_json::Value) -> serde_json::Value {
    json!({
        "operationId": "getSafe",
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": props}
        }}}}
    })
}

fn docs() -> (Document, Document) {
    let old = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/safe": {"get": body(json!({"id": {"type": "string"}}))}}
    });
    let new = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/safe": {"get": body(json!({"id": {"type": "string"}, PROP: {"type": "string"}}))},
            PATH: {"get": op(OP_ID)},
            TICKS: {"post": op("postTicks")}
        }
    });
    let load = |name: &str, v: &serde_json::Value| {
        load_bytes(name, serde_json::to_string_pretty(v).unwrap().as_bytes()).expect("the hostile document loads")
    };
    (load("old.json", &old), load("new.json", &new))
}

fn report() -> (Report, Document) {
    let (old, new) = docs();
    let report = diff_documents(&old, &new);
    // Three wire changes, and their Rust-API side: a field and two methods added, and the
    // resources the new paths' words make (the hostile path's words among them).
    let ids: Vec<&str> = report.changes.iter().map(|c| c.kind.id()).collect();
    assert_eq!(ids.iter().filter(|id| !id.starts_with("rust-")).count(), 3, "{report:#?}");
    assert_eq!(ids.iter().filter(|id| **id == "rust-field-added").count(), 1, "{report:#?}");
    assert_eq!(ids.iter().filter(|id| **id == "rust-method-added").count(), 2, "{report:#?}");
    assert!(ids.iter().all(|id| !id.starts_with("rust-") || matches!(*id, "rust-field-added" | "rust-method-added" | "rust-resource-added")), "{ids:?}");
    (report, new)
}

/// Characters that act on a terminal, a log or the reader's eye: C0 and C1 controls (but the
/// line feeds between items), DEL, and the bidirectional overrides and isolates.
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{61c}')
}

fn assert_no_dangerous(what: &str, text: &str) {
    let bad: Vec<String> = text.chars().filter(|c| is_dangerous(*c)).map(|c| format!("{:?}", c)).collect();
    assert!(bad.is_empty(), "{what} holds raw control characters {bad:?}:\n{text}");
}

#[test]
fn text_report_escapes_control_characters() {
    let (report, _) = report();
    let text = render_text(&report);
    // A summary, the version bump, a blank line and a heading (every change is info), two
    // lines per change: no forged lines.
    let n = report.changes.len();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].starts_with("Generated crate: 0.1.0 → 0.1.1 "), "{text}");
    for l in &lines[2..] {
        assert!(l.is_empty() || l.starts_with("  ") || *l == format!("Info ({n})"), "forged line {l:?} in:\n{text}");
    }
    assert_eq!(lines.len(), 2 + 2 + 2 * n, "{text}");
    assert_no_dangerous("text", &text);
    assert!(text.contains("\\n| injected |"), "{text}");
    assert!(text.contains("\\u{1b}[31mRED\\u{7}\\rFORGED \\u{202e}exe.txt \\u{9b}2J"), "{text}");
}

#[test]
fn github_annotations_escape_every_control_character() {
    let (report, new) = report();
    let out = render_github(&report, &new);
    assert_no_dangerous("github", &out);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), report.changes.len(), "{out}");
    for l in lines {
        let rest = ["::error ", "::warning ", "::notice "]
            .iter()
            .find_map(|p| l.strip_prefix(p))
            .unwrap_or_else(|| panic!("not a workflow command: {l:?}"));
        let (props, _message) = rest.split_once("::").unwrap_or_else(|| panic!("no message in {l:?}"));
        // file=…,line=…,title=…: no property may hold a raw `:` or `,`.
        let keys: Vec<&str> = props.split(',').map(|p| p.split('=').next().unwrap()).collect();
        assert_eq!(keys, ["file", "line", "title"], "{l}");
    }
    assert!(out.contains("%0A| injected |"), "{out}");
    assert!(out.contains("\\u{1b}[31mRED\\u{7}%0DFORGED"), "{out}");
}

#[test]
fn json_keeps_names_exact_and_escapes_controls() {
    let (report, _) = report();
    let out = render_json(&report);
    assert_no_dangerous("json", &out);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ops: Vec<&str> = v["changes"].as_array().unwrap().iter().filter_map(|c| c["operation"].as_str()).collect();
    assert!(ops.contains(&format!("GET {PATH}").as_str()), "{ops:?}");
    assert!(ops.contains(&format!("POST {TICKS}").as_str()), "{ops:?}");
}

/// The markdown as a CommonMark + GFM-table parser (as GitHub's) reads it.
mod md {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    pub struct Read {
        /// The cells of every table row, as plain text (code spans in backticks).
        pub rows: Vec<Vec<String>>,
        pub code: Vec<String>,
        pub text: Vec<String>,
        pub html: Vec<String>,
        pub links: Vec<String>,
    }

    pub fn read(md: &str) -> Read {
        let mut r = Read { rows: vec![], code: vec![], text: vec![], html: vec![], links: vec![] };
        let mut row: Option<Vec<String>> = None;
        for e in Parser::new_ext(md, Options::ENABLE_TABLES) {
            match e {
                Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => row = Some(vec![]),
                Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => r.rows.push(row.take().unwrap()),
                Event::Start(Tag::TableCell) => {
                    if let Some(row) = &mut row {
                        row.push(String::new());
                    }
                }
                Event::Code(c) => {
                    if let Some(cell) = row.as_mut().and_then(|r| r.last_mut()) {
                        cell.push_str(&format!("`{c}`"));
                    }
                    r.code.push(c.to_string());
                }
                Event::Text(t) => {
                    if let Some(cell) = row.as_mut().and_then(|r| r.last_mut()) {
                        cell.push_str(&t);
                    }
                    r.text.push(t.to_string());
                }
                Event::Html(h) | Event::InlineHtml(h) => r.html.push(h.to_string()),
                Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                    r.links.push(dest_url.to_string())
                }
                _ => {}
            }
        }
        r
    }
}

#[test]
fn markdown_keeps_table_rows_and_code_spans_closed() {
    let (report, _) = report();
    let out = render_markdown(&report, None);
    let read = md::read(&out);
    // One table (every change is info): its head and a row per change, four cells each.
    for row in &read.rows {
        assert_eq!(row.len(), 4, "row {row:?} in:\n{out}");
    }
    assert_eq!(read.rows.len(), 1 + report.changes.len(), "rows {:#?}\n{out}", read.rows);
    assert!(read.html.is_empty(), "HTML renders: {:?}\n{out}", read.html);
    assert!(read.links.is_empty(), "links render: {:?}\n{out}", read.links);
    // A mention needs `@` in plain text; every spec string is inside a code span.
    for t in &read.text {
        assert!(!t.contains('@'), "`@` outside a code span: {t:?}\n{out}");
    }
    // The names arrive whole, each in one code span, with only control characters escaped.
    let shown = |s: &str| -> String {
        s.replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\u{1b}', "\\u{1b}")
            .replace('\u{7}', "\\u{7}")
            .replace('\u{9b}', "\\u{9b}")
            .replace('\u{202e}', "\\u{202e}")
    };
    for want in [format!("GET {}", shown(PATH)), format!("POST {TICKS}"), shown(PROP), OP_ID.to_string()] {
        assert!(read.code.contains(&want), "no code span {want:?} among {:#?}\n{out}", read.code);
    }
    assert_no_dangerous("markdown", &out);
}
