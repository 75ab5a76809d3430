//! Token stream → Rust source text, a few items at a time, with blank lines between items.
//!
//! prettyplease prints a file as its items one after another, each ending in a hard line break,
//! so printing the items in groups and joining the text gives exactly the text of printing the
//! whole file at once. Parsing and printing a group at a time keeps only that group's syntax
//! tree alive: for a large API's `models.rs` (hundreds of thousands of lines) the whole tree
//! would otherwise be the largest thing in memory.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, File, Item};

use crate::render::RUNTIME_MACROS;

/// Items per printed group: big enough that per-group overhead does not show, small enough
/// that a group's syntax tree is a few megabytes at most.
const ITEMS_PER_GROUP: usize = 256;

/// Formats a token stream as a Rust file, putting back the doc blocks [`set_aside`] took while
/// its tokens were made on this thread.
pub fn format_file(tokens: TokenStream) -> syn::Result<String> {
    let aside = ASIDE.with(|a| a.borrow_mut().take());
    let text = unparse(tokens)?;
    let text = match aside {
        Some(aside) if !aside.blocks.is_empty() => aside.put_back(&text)?,
        _ => text,
    };
    // Doc lines never hold a control character (they are escaped), so this is a marker whose
    // block is not here: tokens made under one `DocsAside` and printed outside it.
    if text.contains(MARKER_LINE) {
        return Err(out_of_place());
    }
    Ok(space_items(&text))
}

/// Doc blocks set aside while one file's tokens are made on this thread (see [`DocsAside`]).
struct Aside {
    /// Marks this file's markers: random, so no text in the document can spell one.
    nonce: String,
    blocks: Vec<Vec<String>>,
}

std::thread_local! {
    static ASIDE: std::cell::RefCell<Option<Aside>> = const { std::cell::RefCell::new(None) };
}

/// While alive, doc comments made on this thread ([`set_aside`]) go into the token stream as
/// one short marker per block, and the next [`format_file`] on this thread writes the lines in
/// their place. A large API's docs are a third of its code: as `#[doc = "…"]` tokens each line
/// is escaped into a literal, parsed back twice by syn and printed by prettyplease, to become
/// `///` and the line again.
pub struct DocsAside(());

impl DocsAside {
    pub fn begin() -> DocsAside {
        use std::hash::{BuildHasher, Hasher};
        let nonce = format!("{:016x}", std::hash::RandomState::new().build_hasher().finish());
        ASIDE.with(|a| *a.borrow_mut() = Some(Aside { nonce, blocks: Vec::new() }));
        DocsAside(())
    }
}

impl Drop for DocsAside {
    fn drop(&mut self) {
        ASIDE.with(|a| a.borrow_mut().take());
    }
}

/// The marker standing for `lines` (each printed as `///` and the line), when this thread is
/// setting docs aside; `None` otherwise, and for lines prettyplease would not print so (a line
/// break inside, a leading `/`, trailing spaces), which stay literal.
pub fn set_aside(lines: &[String]) -> Option<String> {
    if lines.is_empty() || lines.iter().any(|l| l.contains(['\n', '\r']) || l.starts_with('/') || l.ends_with(' ')) {
        return None;
    }
    ASIDE.with(|a| {
        let mut a = a.borrow_mut();
        let aside = a.as_mut()?;
        let marker = format!("{MARK}{}:{}", aside.nonce, aside.blocks.len());
        aside.blocks.push(lines.to_vec());
        Some(marker)
    })
}

/// What starts a marker: a control character, which doc lines never hold (they are escaped).
const MARK: char = '\u{1}';

/// How a marker prints as a doc line.
const MARKER_LINE: &str = "///\u{1}";

fn out_of_place() -> syn::Error {
    syn::Error::new(proc_macro2::Span::call_site(), "a doc comment's marker was printed out of place")
}

impl Aside {
    /// `text` with each `///` marker line replaced by its block's lines at the same indent.
    /// A marker printed any other way (inside a macro's tokens, say) is an error, not output.
    fn put_back(&self, text: &str) -> syn::Result<String> {
        let start = format!("{MARKER_LINE}{}:", self.nonce);
        let extra: usize = self.blocks.iter().flatten().map(|l| l.len() + 16).sum();
        let mut out = String::with_capacity(text.len() + extra);
        let mut rest = text;
        while let Some(at) = rest.find(&start) {
            let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
            let indent = &rest[line_start..at];
            let after = &rest[at + start.len()..];
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let block = after[..digits].parse::<usize>().ok().and_then(|i| self.blocks.get(i));
            let (Some(block), true, true) = (block, indent.bytes().all(|b| b == b' '), after[digits..].starts_with('\n')) else {
                return Err(out_of_place());
            };
            out.push_str(&rest[..line_start]);
            for line in block {
                out.push_str(indent);
                out.push_str("///");
                out.push_str(line);
                out.push('\n');
            }
            rest = &after[digits + 1..];
        }
        out.push_str(rest);
        if out.contains(&self.nonce) {
            return Err(out_of_place());
        }
        Ok(out)
    }
}

/// Joins the [`format_file`] texts of a file's parts (its items cut into runs, in order) into
/// the text of the whole: prettyplease prints item after item, so only the blank line
/// [`space_items`] would put where one part ends and the next begins is added.
pub fn join_parts(parts: &[String]) -> String {
    let mut out = String::with_capacity(parts.iter().map(String::len).sum::<usize>() + parts.len());
    for part in parts {
        if let (Some(prev), Some(line)) = (out.lines().next_back(), part.lines().next()) {
            if blank_between(prev, line) {
                out.push('\n');
            }
        }
        out.push_str(part);
    }
    out
}

/// prettyplease puts items back to back; a blank line after each closing brace that ends an
/// item (and before each item that follows a one-line item) reads better in review.
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 20);
    let mut prev: Option<&str> = None;
    for line in text.lines() {
        if prev.is_some_and(|p| blank_between(p, line)) {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

/// Whether [`space_items`] puts a blank line between the lines `p` and `line`.
fn blank_between(p: &str, line: &str) -> bool {
    let indent = line.len() - line.trim_start().len();
    let body = line.trim_start();
    let starts_item = ["///", "#[", "pub ", "impl", "fn ", "mod ", "use "].iter().any(|k| body.starts_with(k))
        || body.strip_prefix("crate::").and_then(|r| r.split_once('!')).is_some_and(|(m, _)| is_runtime_macro(m));
    let p_indent = p.len() - p.trim_start().len();
    let p_body = p.trim_start();
    let kind = |l: &str| l.trim_start_matches("pub ").split(' ').next().unwrap_or("").to_string();
    let same_short_kind = p_body.ends_with(';') && kind(p_body) == kind(body);
    let prev_ends_item =
        p_indent == indent && (p_body == "}" || (p_body.ends_with(';') && indent == 0 && !same_short_kind));
    let after_inner_doc = p_body.starts_with("//!") && !body.starts_with("//!");
    starts_item && (prev_ends_item || after_inner_doc)
}

/// Parses `tokens` as a file and prints it with prettyplease.
fn unparse(tokens: TokenStream) -> syn::Result<String> {
    let mut out = String::new();
    let mut first = true;
    for group in split_items(tokens, ITEMS_PER_GROUP) {
        let parser = |input: ParseStream| -> syn::Result<File> {
            let attrs = if first { input.call(Attribute::parse_inner)? } else { Vec::new() };
            let mut items = Vec::new();
            while !input.is_empty() {
                items.push(input.parse::<Item>()?);
            }
            Ok(File { shebang: None, attrs, items })
        };
        let file = parser.parse2(group)?;
        first = false;
        print_items(file, &mut out);
    }
    Ok(out)
}

/// Whether `name` is one of the runtime's macros the models invoke ([`RUNTIME_MACROS`]).
fn is_runtime_macro(name: &str) -> bool {
    RUNTIME_MACROS.iter().any(|(_, m)| *m == name)
}

/// Prints a parsed group: the runtime macros' invocations by [`print_runtime_macro`], runs of
/// other items by prettyplease. Both end every item with a line break, so the pieces join up.
fn print_items(file: File, out: &mut String) {
    let mut run = File { shebang: None, attrs: file.attrs, items: Vec::new() };
    for item in file.items {
        if let Item::Macro(m) = &item {
            if let Some(text) = print_runtime_macro(m) {
                if !run.attrs.is_empty() || !run.items.is_empty() {
                    out.push_str(&prettyplease::unparse(&run));
                    run.attrs.clear();
                    run.items.clear();
                }
                out.push_str(&text);
                continue;
            }
        }
        run.items.push(item);
    }
    if !run.attrs.is_empty() || !run.items.is_empty() || out.is_empty() {
        out.push_str(&prettyplease::unparse(&run));
    }
}

/// Prints a runtime macro's invocation (`string_enum! { … }`, `object! { … }`) with one
/// attribute, the header and each entry on a line of its own (prettyplease would fill macro bodies like a paragraph). `None` when
/// the item is not such an invocation or its body has an unexpected shape.
fn print_runtime_macro(m: &syn::ItemMacro) -> Option<String> {
    let mac = &m.mac;
    if m.ident.is_some() || !matches!(mac.delimiter, syn::MacroDelimiter::Brace(_)) {
        return None;
    }
    if !mac.path.segments.last().is_some_and(|s| is_runtime_macro(&s.ident.to_string())) {
        return None;
    }
    let mut out = String::new();
    for attr in &m.attrs {
        if !matches!(attr.style, syn::AttrStyle::Outer) {
            return None;
        }
        out.push_str(&attr_text(&attr_tokens(attr)?)?);
        out.push('\n');
    }
    if mac.path.leading_colon.is_some() {
        out.push_str("::");
    }
    let segments: Vec<String> = mac.path.segments.iter().map(|s| s.ident.to_string()).collect();
    out.push_str(&segments.join("::"));
    out.push_str("! {\n");
    let tokens: Vec<TokenTree> = mac.tokens.clone().into_iter().collect();
    let (attrs, rest) = split_attrs(&tokens);
    for attr in attrs {
        out.push_str("    ");
        out.push_str(&attr_text(attr)?);
        out.push('\n');
    }
    let (body, header) = rest.split_last()?;
    let TokenTree::Group(body) = body else { return None };
    if body.delimiter() != Delimiter::Brace || header.iter().any(|t| matches!(t, TokenTree::Group(_))) {
        return None;
    }
    out.push_str("    ");
    out.push_str(&tokens_text(header));
    out.push_str(" {\n");
    let entries: Vec<TokenTree> = body.stream().into_iter().collect();
    for entry in entries.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        if entry.is_empty() {
            continue;
        }
        let (attrs, rest) = split_attrs(entry);
        for attr in attrs {
            out.push_str("        ");
            out.push_str(&attr_text(attr)?);
            out.push('\n');
        }
        if rest.is_empty() || rest.iter().any(|t| matches!(t, TokenTree::Group(_))) {
            return None;
        }
        out.push_str("        ");
        out.push_str(&tokens_text(rest));
        out.push_str(",\n");
    }
    out.push_str("    }\n}\n");
    Some(out)
}

/// The `#` and `[…]` tokens of an outer attribute.
fn attr_tokens(attr: &Attribute) -> Option<[TokenTree; 2]> {
    let mut iter = quote::ToTokens::to_token_stream(attr).into_iter();
    let (Some(pound), Some(group), None) = (iter.next(), iter.next(), iter.next()) else {
        return None;
    };
    Some([pound, group])
}

/// Splits leading `#[…]` attributes (two tokens each) off `tokens`.
fn split_attrs(tokens: &[TokenTree]) -> (Vec<&[TokenTree]>, &[TokenTree]) {
    let mut attrs = Vec::new();
    let mut rest = tokens;
    while let [TokenTree::Punct(p), TokenTree::Group(g), ..] = rest {
        if p.as_char() != '#' || g.delimiter() != Delimiter::Bracket {
            break;
        }
        attrs.push(&rest[..2]);
        rest = &rest[2..];
    }
    (attrs, rest)
}

/// An attribute as source: `/// text` for a one-line doc string, `#[…]` otherwise.
fn attr_text(attr: &[TokenTree]) -> Option<String> {
    let TokenTree::Group(g) = attr.get(1)? else { return None };
    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
    if let [TokenTree::Ident(doc), TokenTree::Punct(eq), TokenTree::Literal(lit)] = inner.as_slice() {
        if doc == "doc" && eq.as_char() == '=' {
            if let Ok(lit) = syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into()) {
                let value = lit.value();
                if !value.contains(['\n', '\r']) && !value.starts_with('/') {
                    return Some(format!("///{value}"));
                }
            }
        }
    }
    Some(format!("#[{}]", tokens_text(&inner)))
}

/// Attribute arguments, a header or a variant as source, spaced the way rustfmt would.
fn tokens_text(tokens: &[TokenTree]) -> String {
    let mut out = String::new();
    let mut space = false;
    for tt in tokens {
        match tt {
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if space {
                    out.push(' ');
                }
                out.push_str(&tt.to_string());
                space = true;
            }
            TokenTree::Punct(p) => {
                let c = p.as_char();
                if c == '=' && space {
                    out.push(' ');
                }
                out.push(c);
                space = matches!(c, ',' | '=') || (c == ':' && p.spacing() == proc_macro2::Spacing::Alone);
            }
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => (" { ", " }"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                out.push_str(&tokens_text(&g.stream().into_iter().collect::<Vec<_>>()));
                out.push_str(close);
                space = true;
            }
        }
    }
    out
}

/// Cuts a file's tokens into groups of about `per_group` top-level items, without parsing.
///
/// An item ends at a top-level `;`, or at a top-level `{ … }` followed by the start of another
/// item (`#[…]` or an item keyword). A cut in the wrong place would make a group fail to
/// parse, never print differently. The tokens are moved, not copied, into the groups. The
/// first group always exists (it carries the file's inner attributes, if any).
fn split_items(tokens: TokenStream, per_group: usize) -> Vec<TokenStream> {
    let mut groups = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut items = 0usize;
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let ends_item = match &tt {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace && starts_item(iter.peek()),
            _ => false,
        };
        current.push(tt);
        if ends_item {
            items += 1;
            if items == per_group {
                groups.push(current.drain(..).collect());
                items = 0;
            }
        }
    }
    if !current.is_empty() || groups.is_empty() {
        groups.push(current.into_iter().collect());
    }
    groups
}

/// True for tokens that can only open an item at the top level of a file.
fn starts_item(next: Option<&TokenTree>) -> bool {
    match next {
        Some(TokenTree::Punct(p)) => p.as_char() == '#',
        Some(TokenTree::Ident(i)) => {
            let s = i.to_string();
            matches!(
                s.as_str(),
                "pub" | "impl" | "fn" | "struct" | "enum" | "type" | "use" | "mod" | "const" | "crate"
                    | "static" | "trait" | "unsafe" | "async" | "extern" | "union" | "macro_rules"
            )
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn grouped_printing_matches_whole_file_printing() {
        let items = (0..(super::ITEMS_PER_GROUP * 2 + 7)).map(|i| {
            let name = quote::format_ident!("T{i}");
            if i % 3 == 0 {
                quote! { pub type #name = Vec<String>; }
            } else {
                quote! {
                    /// A type.
                    #[derive(Debug)]
                    pub struct #name { pub a: Option<i64> }
                    impl #name { pub fn get(&self) -> Option<i64> { self.a.map(|a| a + 1) } }
                }
            }
        });
        let tokens = quote! {
            //! Inner docs.
            use std::collections::BTreeMap;
            #(#items)*
        };
        let whole = prettyplease::unparse(&syn::parse2(tokens.clone()).unwrap());
        assert_eq!(super::unparse(tokens).unwrap(), whole);
        let empty = prettyplease::unparse(&syn::parse2(quote!()).unwrap());
        assert_eq!(super::unparse(quote!()).unwrap(), empty);
    }

    #[test]
    fn joined_parts_match_the_whole_file() {
        // Runs of one-line items (no blank line between them), items with bodies (a blank
        // line after each), and inner docs, so that cuts fall between each kind.
        let item = |i: usize| {
            let name = quote::format_ident!("T{i}");
            match i % 5 {
                0 | 1 => quote! { pub type #name = Vec<String>; },
                2 => quote! { pub use std::fmt as #name; },
                _ => quote! {
                    /// A type.
                    #[derive(Debug)]
                    pub struct #name { pub a: Option<i64> }
                },
            }
        };
        let n = 40;
        let all = (0..n).map(item);
        let whole = quote! {
            //! Inner docs.
            #(#all)*
        };
        let want = super::format_file(whole).unwrap();
        for cuts in [vec![1], vec![1, 2], vec![3, 4, 5, 6, 7, 8], vec![10, 11, 25, 39], (1..n).collect()] {
            let mut parts = Vec::new();
            let mut start = 0;
            for end in cuts.into_iter().chain([n]) {
                let items = (start..end).map(item);
                let tokens = if start == 0 {
                    quote! {
                        //! Inner docs.
                        #(#items)*
                    }
                } else {
                    quote!(#(#items)*)
                };
                parts.push(super::format_file(tokens).unwrap());
                start = end;
            }
            assert_eq!(super::join_parts(&parts), want);
        }
    }

    #[test]
    fn string_enum_invocations_print_one_entry_per_line() {
        let tokens = quote! {
            pub type A = String;
            #[cfg(any(feature = "a", feature = "b"))]
            crate::string_enum! {
                #[doc = " The mode."]
                #[deprecated]
                pub enum Mode: Serialize, Deserialize {
                    Fast = "fast",
                    #[doc = "/ odd"]
                    Slow = "slow",
                }
            }
            pub type B = String;
        };
        let want = "pub type A = String;\n\
            #[cfg(any(feature = \"a\", feature = \"b\"))]\n\
            crate::string_enum! {\n    \
            /// The mode.\n    \
            #[deprecated]\n    \
            pub enum Mode: Serialize, Deserialize {\n        \
            Fast = \"fast\",\n        \
            #[doc = \"/ odd\"]\n        \
            Slow = \"slow\",\n    \
            }\n\
            }\n\
            pub type B = String;\n";
        let got = super::unparse(tokens).unwrap();
        assert_eq!(got, want);
        // What is printed parses back to the same invocation.
        syn::parse_file(&got).unwrap();
    }
}

#[cfg(test)]
mod aside_tests {
    use super::*;
    use quote::quote;

    fn docs(lines: &[&str]) -> TokenStream {
        let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        match set_aside(&lines) {
            Some(marker) => quote!(#[doc = #marker]),
            None => quote!(#( #[doc = #lines] )*),
        }
    }

    fn file(aside: bool) -> String {
        let _guard = aside.then(DocsAside::begin);
        let a = docs(&[" A struct.", "", " ```text", "   x", " ```"]);
        let b = docs(&[" A field"]);
        let c = docs(&[" A method."]);
        let d = docs(&[" A variant."]);
        let tokens = quote! {
            #a
            pub struct S {
                #b
                pub f: u8,
            }
            impl S {
                #c
                pub fn m(&self) {}
            }
            crate::string_enum! {
                #a
                pub enum E {
                    #d
                    One = "one",
                }
            }
        };
        format_file(tokens).unwrap()
    }

    /// Docs set aside print exactly as `#[doc]` attributes do: on items, fields, methods and
    /// inside the runtime macros, at each one's indent.
    #[test]
    fn set_aside_docs_print_as_attributes_do() {
        let plain = file(false);
        assert!(plain.contains("    /// A field\n"), "{plain}");
        assert_eq!(file(true), plain);
    }

    /// Lines prettyplease would not print as `///` and the line stay attributes; outside
    /// [`DocsAside`] nothing is set aside.
    #[test]
    fn only_plain_lines_are_set_aside_and_only_when_asked() {
        assert_eq!(set_aside(&[" x".into()]), None);
        let _guard = DocsAside::begin();
        assert!(set_aside(&[" x".into()]).is_some());
        for odd in ["/x", " x ", "a\nb", "a\rb"] {
            assert_eq!(set_aside(&[" ok".into(), odd.into()]), None, "{odd:?}");
        }
        assert_eq!(set_aside(&[]), None);
    }

    /// Tokens made while docs were set aside but printed after (a second `format_file`, or
    /// another thread) fail rather than print a marker.
    #[test]
    fn a_marker_printed_without_its_blocks_is_an_error() {
        let tokens = {
            let _guard = DocsAside::begin();
            let marker = set_aside(&[" gone".into()]).unwrap();
            quote!(#[doc = #marker] pub struct X;)
        };
        let err = format_file(tokens).unwrap_err();
        assert!(err.to_string().contains("out of place"), "{err}");
    }

    /// A marker printed anywhere but as a doc line (here inside a macro's tokens, where
    /// prettyplease escapes it) fails the file instead of leaving a marker in the code.
    #[test]
    fn a_marker_out_of_place_is_an_error() {
        let _guard = DocsAside::begin();
        let marker = set_aside(&[" hidden".into()]).unwrap();
        let tokens = quote!(other_macro! { #[doc = #marker] struct X; });
        let err = format_file(tokens).unwrap_err();
        assert!(err.to_string().contains("out of place"), "{err}");
    }
}
