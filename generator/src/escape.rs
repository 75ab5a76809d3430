//! Spec and configuration text → text that is safe in one target language: a TOML basic
//! string, a Rust string literal, a line comment, Markdown prose (inline or a whole rustdoc
//! block) and a Markdown code span. Everything the generator writes from input text goes
//! through one of these; templates reach them as minijinja filters (see `render`).
//!
//! Rustdoc compiles every code block of an item's docs (and of the README, which `lib.rs`
//! includes) as a doctest, so prose must never open or close one; [`doc_prose`] guarantees that.

use std::fmt::Write as _;

/// Characters that reorder text on screen (Trojan Source): rustc denies them in comments and
/// literals, and a reviewer cannot see them.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters escaped everywhere: controls, bidi controls and the Unicode line separators
/// (some editors and Markdown renderers break lines on them).
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi(c) || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// Unicode format characters (category Cf): invisible, some reorder or hide text.
pub(crate) fn is_format(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{890}'..='\u{891}' | '\u{8e2}'
        | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{110bd}' | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// `text` cut to its first `max` bytes (at a character boundary) and `…` when it is longer.
pub fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.len() > max {
        true => format!("{}…", &text[..text.floor_char_boundary(max)]).into(),
        false => text.into(),
    }
}

/// The most characters [`shown`] prints of one text; longer ones keep their start and end.
const SHOWN_CHARS: usize = 1_000;

/// Input text for a terminal line (a diagnostic or an error message): every hidden character,
/// newlines included, is written as a Rust-style escape, so a name from the document cannot
/// move the cursor, forge a second line or reorder what a reviewer sees. A text longer than
/// 1,000 characters keeps its first 800 and last 100, saying how many were left out between,
/// so a 200 KB name is not printed whole in every message that names it.
pub fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    let long = s.len() > SHOWN_CHARS && s.chars().nth(SHOWN_CHARS).is_some();
    if !long && !s.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(4 * SHOWN_CHARS) + 8);
    let total = if long { s.chars().count() } else { 0 };
    for (i, c) in s.chars().enumerate() {
        if long && i == 800 {
            let _ = write!(out, "…({} characters left out)…", total - 900);
        }
        if long && (800..total - 100).contains(&i) {
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A TOML basic string, quotes included.
pub fn toml_str(s: &str) -> String {
    quoted(s, |out, c| {
        let _ = write!(out, "\\u{:04X}", c as u32);
    })
}

/// A Rust string literal, quotes included; one line, no hidden characters.
pub fn rust_str(s: &str) -> String {
    quoted(s, |out, c| {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    })
}

/// A double-quoted string with the escapes TOML basic strings and Rust literals share;
/// `unicode` writes a hidden character in the target language's own escape form.
fn quoted(s: &str, unicode: fn(&mut String, char)) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_hidden(c) => unicode(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for the inside of a one-line comment (`//`, `#`, `<!-- -->`): hidden characters and
/// `<`, `>` (which could end an HTML comment) are written as `\u{..}`.
pub fn comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hidden(c) || c == '<' || c == '>' {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Markdown inline text on one line (a title inside a sentence, or a paragraph of its own):
/// line breaks and hidden characters become spaces, and the punctuation that Markdown or HTML
/// would act on is backslash-escaped, so the text reads as itself and cannot start a block.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || is_hidden(c) {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~' | '&' | '{' | '}')
            || (out.is_empty() && c.is_ascii_punctuation())
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Markdown code span showing `s` verbatim on one line: hidden characters (line breaks
/// included) are written as `\u{..}`, and the fence is longer than any run of backticks inside.
pub fn md_code(s: &str) -> String {
    let mut body = String::with_capacity(s.len());
    let (mut run, mut longest) = (0usize, 0usize);
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
        if is_hidden(c) {
            let _ = write!(body, "\\u{{{:x}}}", c as u32);
        } else {
            body.push(c);
        }
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 || body.starts_with(' ') || body.ends_with(' ') {
        format!("{fence} {body} {fence}")
    } else {
        format!("{fence}{body}{fence}")
    }
}

/// Spec prose → rustdoc lines (each without the leading space `///` adds) that render as the
/// prose and never compile.
///
/// Line breaks are normalised (CR LF and lone CR become LF; rustc rejects a bare CR in a doc
/// comment) and hidden characters are shown as `\u{..}`. Then every line is made unable to
/// open or close a code block:
///
/// - Leading whitespace goes, also after each blockquote (`>`) and list marker (`-`, `*`, `+`,
///   `1.`, `1)`) a line opens with, so no line is an indented code block (4 spaces, or 5
///   after a marker) at any nesting.
/// - A fence (three or more backticks or tildes) at the top level becomes the opening of a
///   ```` ```text ```` block, which the next fence at the top level closes as ```` ``` ````. Inside
///   that block, and after any container marker, a fence has its first character escaped
///   (`\```), which makes it plain text: nothing in between can close the block early, and a
///   fence inside a blockquote or list item never opens one.
///
/// An unclosed block is closed at the end, so what follows the prose (a generated example)
/// is never swallowed.
pub fn doc_prose(text: &str) -> Vec<String> {
    // Docs are one attribute per line all the way to the formatted file; a description of
    // millions of lines would cost gigabytes there and help no reader, so it is cut at a line
    // break, with a note saying where the rest is.
    let (text, cut) = match text.len() > MAX_PROSE {
        true => {
            let mut end = MAX_PROSE;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let end = text[..end].rfind('\n').unwrap_or(end);
            (&text[..end], Some(text.len() - end))
        }
        false => (text, None),
    };
    let mut out = prose_lines(text);
    if let Some(rest) = cut {
        out.push(String::new());
        out.push(format!(" *(Cut here: {rest} more bytes of this description are in the API document.)*"));
    }
    out
}

/// Longest prose, in bytes, shown in docs.
pub const MAX_PROSE: usize = 64 * 1024;

fn prose_lines(text: &str) -> Vec<String> {
    let text = normalize(text);
    let mut out = Vec::new();
    // The spec's opening fence while inside a block: its character and length.
    let mut open: Option<(char, usize)> = None;
    for line in text.trim().split('\n') {
        let (prefix, rest) = container_prefix(line);
        let fence = fence_of(rest);
        let line = match (open, fence) {
            (None, Some(f)) if prefix.is_empty() => {
                open = Some(f);
                "```text".to_string()
            }
            // CommonMark's closing fence: the same character, at least as long, nothing after.
            (Some((c, n)), Some((fc, fnum))) if prefix.is_empty() && fc == c && fnum >= n && rest[fnum..].trim().is_empty() => {
                open = None;
                "```".to_string()
            }
            (Some(_), _) => {
                // Verbatim, except that nothing may look like a fence.
                let trimmed = line.trim_start();
                if fence.is_some() || fence_of(trimmed).is_some() {
                    format!("\\{trimmed}")
                } else {
                    line.trim_end().to_string()
                }
            }
            (None, Some(_)) => format!("{prefix}\\{}", wrap_bare_urls(rest.trim_end())),
            (None, None) if opens_html_block(rest) => format!("{prefix}\\{}", wrap_bare_urls(rest.trim_end())),
            (None, None) => format!("{prefix}{}", wrap_bare_urls(rest.trim_end())),
        };
        out.push(format!(" {line}").trim_end().to_string());
    }
    if open.is_some() {
        out.push(" ```".into());
    }
    out
}

/// Whether a line opens one of the HTML blocks that a blank line does not end (CommonMark's
/// kinds 1 to 5: `<script`, `<pre`, `<style`, `<textarea`, `<!--`, `<?`, `<!X`, `<![CDATA[`).
/// Such a block runs on to its closing marker, which a later generated line (an example's
/// string literal) could hold, and would turn the example's closing fence into an opening one.
fn opens_html_block(rest: &str) -> bool {
    let Some(after) = rest.strip_prefix('<') else {
        return false;
    };
    if after.starts_with(['!', '?']) {
        return true;
    }
    let name_len = after.len() - after.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
    let (name, tail) = after.split_at(name_len);
    ["script", "pre", "style", "textarea"].iter().any(|t| t.eq_ignore_ascii_case(name))
        && (tail.is_empty() || tail.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()))
}

/// The fence a line starts with (three or more backticks or tildes): its character and length.
fn fence_of(s: &str) -> Option<(char, usize)> {
    let c = s.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = s.len() - s.trim_start_matches(c).len();
    (n >= 3).then_some((c, n))
}

/// CR LF and lone CR → LF; hidden characters other than LF and tab → `\u{..}`.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' | '\t' => out.push(c),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Splits a line into its container markers (blockquote `>` and list markers, each followed
/// by one space, leading whitespace dropped) and the rest, which starts with no whitespace.
fn container_prefix(line: &str) -> (String, &str) {
    let mut prefix = String::new();
    let mut rest = line.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix('>') {
            prefix.push_str("> ");
            rest = r.trim_start();
            continue;
        }
        let bullet = rest.starts_with(['-', '*', '+']) && rest[1..].starts_with(char::is_whitespace);
        if bullet {
            prefix.push_str(&rest[..1]);
            prefix.push(' ');
            rest = rest[1..].trim_start();
            continue;
        }
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if (1..=9).contains(&digits) {
            let after = &rest[digits..];
            if after.starts_with(['.', ')']) && after[1..].starts_with(char::is_whitespace) {
                prefix.push_str(&rest[..=digits]);
                prefix.push(' ');
                rest = after[1..].trim_start();
                continue;
            }
        }
        return (prefix, rest);
    }
}

/// `see https://x` → `see <https://x>`, so rustdoc does not warn about bare URLs.
fn wrap_bare_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("http") {
        let (before, tail) = rest.split_at(i);
        out.push_str(before);
        let is_url = tail.starts_with("https://") || tail.starts_with("http://");
        let prev = before.chars().next_back();
        if is_url && !matches!(prev, Some('(') | Some('<') | Some('[') | Some('"') | Some('\'') | Some('`') | Some('=')) {
            let end = tail
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"')
                .unwrap_or(tail.len());
            let mut url = &tail[..end];
            while url.ends_with(['.', ',', ';', ':']) {
                url = &url[..url.len() - 1];
            }
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &tail[url.len()..];
        } else {
            out.push_str("http");
            rest = &tail[4..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_shown_by_their_ends() {
        let name = format!("{}{}", "a".repeat(150_000), "b\u{202e}".repeat(25_000));
        let out = shown(&name);
        assert!(out.starts_with(&"a".repeat(800)), "{}", &out[..900]);
        assert!(out.contains("…(199100 characters left out)…"), "{out}");
        assert!(out.ends_with(&"b\\u{202e}".repeat(50)), "{out}");
        assert_eq!(out.chars().count(), 800 + "…(199100 characters left out)…".chars().count() + 50 + 50 * 8);
        let fits = "é".repeat(1_000);
        assert_eq!(shown(&fits), fits);
        assert!(shown(&"é".repeat(1_001)).contains("…(101 characters left out)…"));
    }

    #[test]
    fn strings() {
        assert_eq!(toml_str("a\"b\\\n\u{1}\u{202e}"), r#""a\"b\\\n\u0001\u202E""#);
        assert_eq!(rust_str("a\"b\\\n\u{202e}"), r#""a\"b\\\n\u{202e}""#);
        assert_eq!(comment("a\nb -->"), "a\\u{a}b --\\u{3e}");
        assert_eq!(md_code("a``b"), "``` a``b ```");
        assert_eq!(md_code("plain"), "`plain`");
        assert_eq!(md_text("# T\n\n```rust <b>"), "\\# T \\`\\`\\`rust \\<b\\>");
        assert_eq!(md_text("-x"), "\\-x");
    }

    #[test]
    fn prose_never_opens_a_code_block() {
        let lines = doc_prose("a\r\nb\rc\n> ```rust\n-     code\n1. ~~~\n~~~rust\n  ```\nx\n~~~\nafter\n```");
        assert_eq!(
            lines,
            [" a", " b", " c", " > \\```rust", " - code", " 1. \\~~~", " ```text", " \\```", " x", " ```", " after", " ```text", " ```"]
        );
    }

    #[test]
    fn prose_never_opens_an_html_block_that_outlives_it() {
        // Each of these would run past the prose, up to a `-->`, `?>`, `>` or closing tag in
        // a generated example, and turn the example's closing fence into an opening one.
        let lines = doc_prose("<!-- a\n<?php\n> <!DOCTYPE\n<![CDATA[\n<PRE>\n<script src=x>\n<style\n<pretty> <b>bold</b> <!-- inline");
        assert_eq!(
            lines,
            [" \\<!-- a", " \\<?php", " > \\<!DOCTYPE", " \\<![CDATA[", " \\<PRE>", " \\<script src=x>", " \\<style", " <pretty> <b>bold</b> <!-- inline"]
        );
    }
}
