//! Token stream → Rust source text, a few items at a time.
//!
//! prettyplease prints a file as its items one after another, each ending in a hard line break,
//! so printing the items in groups and joining the text gives exactly the text of printing the
//! whole file at once. Parsing and printing a group at a time keeps only that group's syntax
//! tree alive: for a large API's `models.rs` (hundreds of thousands of lines) the whole tree
//! would otherwise be the largest thing in memory.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, File, Item};

/// Items per printed group: big enough that per-group overhead does not show, small enough
/// that a group's syntax tree is a few megabytes at most.
const ITEMS_PER_GROUP: usize = 256;

/// Parses `tokens` as a file and prints it with prettyplease.
pub fn unparse(tokens: TokenStream) -> syn::Result<String> {
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
        out.push_str(&prettyplease::unparse(&file));
    }
    Ok(out)
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
                "pub" | "impl" | "fn" | "struct" | "enum" | "type" | "use" | "mod" | "const"
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
}
