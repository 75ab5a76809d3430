//! Output as a module of another crate (a `build.rs` writing into `OUT_DIR`) instead of a crate
//! of its own.
//!
//! The generated code and the runtime name their own items from the crate root (`crate::Client`,
//! `crate::models::…`). For a module at `crate::api` every such path is rebased onto
//! `crate::api`: the emitted code on its tokens (so spec text in doc strings is never touched),
//! the runtime on its text (the runtime is project source, with no spec text in it). The files
//! are then joined into one, `api.rs`: each `mod name;` becomes an inline `mod name { … }`
//! holding the file's text, so the consumer needs only
//! `pub mod api { include!(concat!(env!("OUT_DIR"), "/api.rs")); }` and no paths into `OUT_DIR`.

use std::collections::BTreeMap;

use proc_macro2::{Group, TokenStream, TokenTree};

use crate::render::RUNTIME_MACROS;
use crate::GenerateError;

/// A module path below the crate root, such as `crate::api` or `crate::clients::users`.
#[derive(Debug, Clone)]
pub(crate) struct ModulePath {
    /// The segments after `crate`, never empty.
    segments: Vec<String>,
}

impl ModulePath {
    /// Accepts `crate::name(::name)*` with every name a Rust identifier that is not a keyword.
    pub(crate) fn parse(path: &str) -> Result<Self, GenerateError> {
        let refuse = |reason: &'static str| GenerateError::ModulePath { path: crate::escape::rust_str(path), reason };
        let mut parts = path.split("::");
        if parts.next() != Some("crate") {
            return Err(refuse("a module path starts with `crate::`, such as `crate::api`"));
        }
        let segments: Vec<String> = parts.map(str::to_string).collect();
        if segments.is_empty() {
            return Err(refuse("the module is below the crate root: name it, such as `crate::api`"));
        }
        for s in &segments {
            let ident = crate::naming::is_ascii_ident(s) && s != "_" && !crate::naming::is_keyword(s);
            if !ident {
                return Err(refuse("each name in a module path is an ASCII identifier that is not a Rust keyword"));
            }
        }
        Ok(ModulePath { segments })
    }

    /// The path as code inside the crate writes it (`crate::api`).
    fn inside(&self) -> String {
        format!("crate::{}", self.segments.join("::"))
    }

    /// The path as code outside the crate (doc examples) writes it: `my_crate::api`.
    pub(crate) fn outside_path(&self, lib_name: &str) -> String {
        format!("{lib_name}::{}", self.segments.join("::"))
    }

    /// The one file the module is written to: `api.rs` for `crate::api`.
    pub(crate) fn file_name(&self) -> String {
        format!("{}.rs", self.segments.last().expect("parse keeps at least one segment"))
    }

    /// `crate::x` → `crate::api::x` in emitted tokens. `pub(crate)` has no `::` after `crate`
    /// and stays.
    pub(crate) fn rebase_tokens(&self, tokens: TokenStream) -> TokenStream {
        let root: TokenStream = self.inside().parse().expect("a checked module path is valid Rust");
        rebase(tokens, &root)
    }

    /// The same rebase on runtime source text: `crate::x` → `crate::api::x`, and in macros
    /// `$crate::x` → `$crate::api::x`.
    fn rebase_text(&self, text: &str) -> String {
        let rest = self.segments.join("::");
        let mut out = String::with_capacity(text.len() + 256);
        let mut last = 0;
        for (i, _) in text.match_indices("crate::") {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            out.push_str(&text[last..i]);
            out.push_str("crate::");
            out.push_str(&rest);
            out.push_str("::");
            last = i + "crate::".len();
        }
        out.push_str(&text[last..]);
        out
    }

    /// Joins the crate's Rust files into the module's one file, under `header`.
    ///
    /// `lib.rs` gives the module's top: its inner docs are dropped (the including crate
    /// documents its own module), its `#![allow(..)]` lints go on each inlined module, and its
    /// README doctest is dropped (there is no README). The runtime's `string_enum!` and
    /// `object!` lose `#[macro_export]` (an exported macro from an `include!` cannot be named by
    /// path) and are re-exported at the module's top instead, where the models name them.
    pub(crate) fn single_file(&self, files: &BTreeMap<String, String>, header: &str) -> BTreeMap<String, String> {
        let runtime: Vec<String> = crate::render::TEMPLATES
            .iter()
            .filter_map(|(n, _)| n.strip_prefix("runtime/"))
            .map(|f| format!("src/{f}"))
            .collect();
        let mut sources: BTreeMap<&str, String> = BTreeMap::new();
        for (name, text) in files {
            if !name.ends_with(".rs") {
                continue;
            }
            let body = text.strip_prefix(header).map(|t| t.strip_prefix('\n').unwrap_or(t)).unwrap_or(text);
            let mut body = if runtime.contains(name) { self.rebase_text(body) } else { body.to_string() };
            if let Some((_, mac)) = RUNTIME_MACROS.iter().find(|(file, _)| name.strip_prefix("src/") == Some(*file)) {
                // An API without string enums (or without models it reads) never invokes it.
                body = body.replace("#[macro_export]\n", "#[allow(unused_macros)]\n");
                body.push_str(&format!("\n#[allow(unused_imports)]\npub(crate) use {mac};\n"));
            }
            sources.insert(name.as_str(), body);
        }
        let lib = sources.remove("src/lib.rs").unwrap_or_default();
        let mut allows = Vec::new();
        let mut top = Vec::new();
        let mut lines = lib.lines();
        while let Some(line) = lines.next() {
            if line.starts_with("//!") {
                continue;
            }
            if let Some(lints) = line.strip_prefix("#![allow(").and_then(|l| l.strip_suffix(")]")) {
                allows.push(lints.to_string());
                continue;
            }
            if line == "#[cfg(doctest)]" {
                // The doctest item and the doc comment above it.
                while top.last().is_some_and(|l: &String| l.starts_with("///")) {
                    top.pop();
                }
                for rest in lines.by_ref() {
                    if rest.ends_with(';') {
                        break;
                    }
                }
                continue;
            }
            top.push(line.to_string());
        }
        let lints = if allows.is_empty() { String::new() } else { format!("#[allow({})]\n", allows.join(", ")) };
        let mut out = String::from(header);
        out.push('\n');
        inline(&top.join("\n"), "src", &sources, &lints, &mut out);
        for (file, mac) in RUNTIME_MACROS {
            if let Some(module) = file.strip_suffix(".rs").filter(|_| sources.contains_key(format!("src/{file}").as_str())) {
                out.push_str(&format!("\n#[allow(unused_imports)]\npub(crate) use {module}::{mac};\n"));
            }
        }
        BTreeMap::from([(self.file_name(), out)])
    }
}

/// Writes `text` to `out` with each `mod name;` whose file is in `sources` (under `dir`)
/// replaced by `mod name { <that file, inlined the same way> }`.
fn inline(text: &str, dir: &str, sources: &BTreeMap<&str, String>, lints: &str, out: &mut String) {
    for line in text.lines() {
        let declared = ["pub mod ", "mod "]
            .iter()
            .find_map(|vis| line.strip_prefix(vis).map(|rest| (&vis[..vis.len() - 4], rest)))
            .and_then(|(vis, rest)| rest.strip_suffix(';').map(|name| (vis, name)));
        let child = declared.and_then(|(vis, name)| {
            let path = format!("{dir}/{name}.rs");
            sources.get(path.as_str()).map(|src| (vis, name, path, src))
        });
        match child {
            Some((vis, name, path, src)) => {
                // The file's own one-line inner attributes (`#![allow(deprecated)]`) go beside
                // the lints as outer ones: inner and outer `allow`s on one module are clippy's
                // `mixed_attributes_style`.
                let (inner, body) = split_inner_attributes(src);
                out.push_str(lints);
                for attribute in inner {
                    out.push_str(&format!("#[{}\n", &attribute[3..]));
                }
                out.push_str(&format!("{vis}mod {name} {{\n"));
                inline(&body, path.trim_end_matches(".rs"), sources, lints, out);
                out.push_str("}\n");
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
}

/// The one-line inner attributes (`#![…]`) before a file's first item, and the file without
/// them. Blank lines and inner doc comments among them stay in the body.
fn split_inner_attributes(src: &str) -> (Vec<&str>, String) {
    let mut inner = Vec::new();
    let mut body = String::with_capacity(src.len());
    let mut leading = true;
    for line in src.lines() {
        let t = line.trim();
        if leading && t.starts_with("#![") && t.ends_with(']') {
            inner.push(t);
            continue;
        }
        if !(t.is_empty() || t.starts_with("//")) {
            leading = false;
        }
        body.push_str(line);
        body.push('\n');
    }
    (inner, body)
}

/// Replaces `crate` by `root` wherever a path starts with `crate::`.
fn rebase(tokens: TokenStream, root: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Ident(i) if i == "crate" && matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ':') => {
                out.extend(root.clone());
            }
            TokenTree::Group(g) => {
                let mut rebased = Group::new(g.delimiter(), rebase(g.stream(), root));
                rebased.set_span(g.span());
                out.extend([TokenTree::Group(rebased)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ModulePath;
    use quote::quote;

    #[test]
    fn paths_are_checked() {
        assert!(ModulePath::parse("crate::api").is_ok());
        assert!(ModulePath::parse("crate::a::b_2").is_ok());
        for bad in ["crate", "api", "crate::", "crate::fn", "crate::a b", "self::api", "crate::_"] {
            assert!(ModulePath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn crate_paths_are_rebased_and_visibility_is_not() {
        let m = ModulePath::parse("crate::api").unwrap();
        let t = m.rebase_tokens(quote!(pub(crate) client: &'c crate::Client; fn f(x: Vec<crate::models::X>) {} #[doc = "crate::Client"] struct S;));
        let s = t.to_string();
        assert!(s.contains("pub (crate) client : & 'c crate :: api :: Client"), "{s}");
        assert!(s.contains("Vec < crate :: api :: models :: X >"), "{s}");
        assert!(s.contains("\"crate::Client\""), "doc text stays: {s}");
        assert_eq!(
            m.rebase_text("use crate::error::Error; $crate::string_enum!(x); pub(crate) fn f() {} my_crate::x"),
            "use crate::api::error::Error; $crate::api::string_enum!(x); pub(crate) fn f() {} my_crate::x"
        );
    }

    #[test]
    fn a_files_inner_attributes_become_outer_beside_the_lints() {
        let m = ModulePath::parse("crate::api").unwrap();
        let files = std::collections::BTreeMap::from([
            ("src/lib.rs".to_string(), "H\n#![allow(clippy::all)]\npub mod models;\n".to_string()),
            ("src/models.rs".to_string(), "H\n//! Models.\n#![allow(deprecated)]\n\npub struct A;\n#![not_leading]\n".to_string()),
        ]);
        let out = m.single_file(&files, "H");
        let text = out.values().next().unwrap();
        assert!(text.contains("#[allow(clippy::all)]\n#[allow(deprecated)]\npub mod models {\n//! Models.\n\npub struct A;\n#![not_leading]\n}"), "{text}");
        assert!(!text.contains("#![allow(deprecated)]"), "{text}");
    }
}
