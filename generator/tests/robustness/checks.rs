//! What must hold for every generated crate, whatever strings the input held, checked without
//! compiling: each `.rs` file parses; the manifest parses as TOML and has exactly the tables,
//! keys and values the inputs call for; `lib.rs` declares exactly the template's items, with
//! the base URL and environment names as values; no doc comment or README holds a code block
//! the generator did not write; no raw control or bidi character; paths stay inside the output;
//! the runtime is copied verbatim outside its marked examples, which parse; file names fit a
//! file system.

use std::collections::BTreeSet;
use std::path::{Component, Path};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde_json::Value;
use syn::visit::Visit;

/// One violated property: its class (for tallies) and what was seen.
#[derive(Debug, Clone)]
pub struct Problem {
    pub class: String,
    pub detail: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.class, self.detail)
    }
}

/// What the manifest and `lib.rs` must say, from the document and the configuration alone
/// (the rules of `build::crate_meta`, as the README documents them).
pub struct Expect {
    pub crate_name: String,
    pub lib_name: String,
    pub version: String,
    pub license: String,
    pub description: String,
    /// `None` when the crate has no default base URL.
    pub base_url: Option<String>,
    pub env_prefix: String,
}

impl Expect {
    pub fn new(doc: &Value, cfg: &generator::Config, default_name: &str) -> Expect {
        let k = &cfg.krate;
        let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("");
        let crate_name = k.name.clone().unwrap_or_else(|| default_name.to_string());
        Expect {
            lib_name: crate_name.replace('-', "_"),
            version: k.version.clone().unwrap_or_else(|| "0.1.0".into()),
            license: k.license.clone().unwrap_or_else(|| "MIT OR Apache-2.0".into()),
            // A title becomes one line of the package summary (cargo hands it to rustc in an
            // environment variable, where a NUL would stop every compile).
            description: k.description.clone().unwrap_or_else(|| {
                let title = title.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
                format!("Async Rust client for {}", if title.is_empty() { "an HTTP API" } else { &title })
            }),
            // The configured one, else the first server's URL with its variables' defaults, when
            // that is an http(s) URL with a host and without query or fragment.
            base_url: k.base_url.clone().or_else(|| {
                let url = filled(doc.pointer("/servers/0")?)?;
                let parsed = url::Url::parse(url.trim()).ok()?;
                let usable = matches!(parsed.scheme(), "http" | "https") && parsed.query().is_none() && parsed.fragment().is_none();
                usable.then(|| url.trim().trim_end_matches('/').to_string())
            }),
            env_prefix: k.env_prefix.clone().unwrap_or_else(|| generator::internal::snake(&crate_name).to_uppercase()),
            crate_name,
        }
    }
}

/// A server's URL with each `{name}` (a `{` up to the next `}`) replaced by that variable's
/// `default`, as OpenAPI defines it; `None` when a variable it names has none.
fn filled(server: &Value) -> Option<String> {
    let mut rest = server.get("url")?.as_str()?;
    let mut url = String::new();
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else { break };
        url.push_str(&rest[..open]);
        let name = &rest[open + 1..open + len];
        url.push_str(server.get("variables")?.get(name)?.get("default")?.as_str()?);
        rest = &rest[open + len + 1..];
    }
    url.push_str(rest);
    Some(url)
}

/// The shape of a crate generated from a plain document: which tables, keys, items and README
/// code blocks the templates write, so the checks follow the templates when they change.
pub struct Reference {
    top: BTreeSet<String>,
    package: BTreeSet<String>,
    dependencies: BTreeSet<String>,
    dev_dependencies: BTreeSet<String>,
    lib_items: BTreeSet<String>,
    readme_blocks: usize,
}

impl Reference {
    pub fn new() -> Reference {
        let doc = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "Plain", "version": "1"},
            "servers": [{"url": "https://api.example.com/v1"}],
            "paths": {"/widgets/{id}": {"get": {"operationId": "getWidget", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}},
        });
        let files = crate::generate(&doc, None).expect("the plain document generates").files;
        let manifest: toml::Table = files["Cargo.toml"].parse().expect("plain manifest");
        let keys = |v: &toml::Value| v.as_table().map(|t| t.keys().cloned().collect()).unwrap_or_default();
        let lib = syn::parse_file(&files["src/lib.rs"]).expect("plain lib.rs");
        Reference {
            top: manifest.keys().cloned().collect(),
            package: keys(&manifest["package"]),
            dependencies: keys(&manifest["dependencies"]),
            dev_dependencies: keys(&manifest["dev-dependencies"]),
            lib_items: lib.items.iter().map(item_key).collect(),
            readme_blocks: code_blocks(&files["README.md"]).len(),
        }
    }
}

/// The text of each `//@if FLAG` … `//@end` block of a runtime template, which a crate keeps as
/// written when it has the flag.
fn if_blocks(template: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut open: Option<String> = None;
    for line in template.split_inclusive('\n') {
        let marker = line.trim();
        if marker.starts_with("//@if ") {
            open = Some(String::new());
        } else if marker == "//@end" {
            blocks.extend(open.take());
        } else if let Some(block) = &mut open {
            block.push_str(line);
        }
    }
    blocks
}

/// Whether `gap` is one or more kept `//@if` blocks one after another (two flags' blocks with
/// only marker lines between them leave no fixed text to tell them apart).
fn made_of(gap: &str, blocks: &[String]) -> bool {
    !gap.is_empty()
        && blocks.iter().any(|b| !b.is_empty() && gap.strip_prefix(b.as_str()).is_some_and(|rest| rest.is_empty() || made_of(rest, blocks)))
}

/// A runtime doc example a marker block wrote (doc lines; `# ` hides a line from the reader, not
/// from the compiler) parses as Rust items.
fn runtime_example_parses(block: &str) -> Result<(), String> {
    let mut code = String::new();
    for line in block.lines() {
        let Some(doc) = line.trim_start().strip_prefix("///") else {
            return Err(format!("not a doc line: {line:?}"));
        };
        let doc = doc.strip_prefix(' ').unwrap_or(doc);
        code.push_str(doc.strip_prefix("# ").unwrap_or(doc));
        code.push('\n');
    }
    syn::parse_file(&code).map(drop).map_err(|e| format!("{e} in {code:?}"))
}

/// Every check, on one generated crate.
pub fn check(files: &std::collections::BTreeMap<String, String>, expect: &Expect, reference: &Reference) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |class: &str, detail: String| problems.push(Problem { class: class.to_string(), detail });
    let runtime: Vec<(String, &str)> = generator::internal::TEMPLATES
        .iter()
        .filter_map(|(n, t)| n.strip_prefix("runtime/").map(|f| (format!("src/{f}"), *t)))
        .collect();
    for (path, text) in files {
        let p = Path::new(path);
        let inside = !path.is_empty()
            && p.components().all(|c| matches!(c, Component::Normal(s) if s.to_str().is_some_and(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))));
        if !inside {
            problem("path: not a plain relative path", format!("{path:?}"));
        }
        // Most file systems refuse a file name over 255 bytes.
        if let Some(long) = path.split('/').find(|c| c.len() > 255) {
            problem("path: file name too long to write", format!("{} bytes: {}…", long.len(), long.chars().take(40).collect::<String>()));
        }
        if let Some(c) = text.chars().find(|c| forbidden_char(*c)) {
            let at = text.find(c).unwrap_or(0);
            problem("text: raw control or bidi character", format!("{path}: U+{:04X} near {:?}", c as u32, snippet(text, at)));
        }
        if let Some((_, template)) = runtime.iter().find(|(r, _)| r == path) {
            // Verbatim outside the marker blocks; what a block wrote is a doc example of the
            // crate's own call, which must be Rust.
            let mut at = 0;
            for part in generator::internal::runtime_fixed_parts(template) {
                let part = part.replace("cloudflare_access_users", &expect.lib_name);
                match text[at..].find(&part) {
                    Some(i) => {
                        let gap = &text[at..at + i];
                        let blocks: Vec<String> = if_blocks(template).iter().map(|b| b.replace("cloudflare_access_users", &expect.lib_name)).collect();
                        let kept_block = made_of(gap, &blocks);
                        if at > 0 && i > 0 && !kept_block {
                            if let Err(e) = runtime_example_parses(gap) {
                                problem("runtime: example is not Rust", format!("{path}: {e}"));
                            }
                        }
                        at += i + part.len();
                    }
                    None => {
                        problem("runtime: not copied verbatim", format!("{path}: {:?}…", part.chars().take(60).collect::<String>()));
                        break;
                    }
                }
            }
            continue;
        }
        if path.ends_with(".rs") {
            match syn::parse_file(text) {
                Ok(file) => {
                    for doc in doc_texts(&file) {
                        for (kind, nested, content) in code_blocks(&unindent(&doc)) {
                            let generated_example = kind == "no_run" && !nested && (content.starts_with("# fn example(") || content.starts_with("# async fn example("));
                            // `auth.rs` shows its `Auth` enum with a doctest of generator-written
                            // identifiers only: it must stay valid Rust about that enum.
                            let auth_example = path == "src/auth.rs" && kind.is_empty() && !nested && content.starts_with(&format!("use {}::Auth;\n", expect.lib_name));
                            if auth_example {
                                if let Err(e) = syn::parse_file(&format!("fn example() {{\n{content}\n}}\n")) {
                                    problem("doc: example is not valid Rust", format!("{path}: {e}: {content:?}"));
                                }
                            } else if generated_example {
                                let code: String = content.lines().map(|l| l.strip_prefix('#').map_or(l, |r| r.strip_prefix(' ').unwrap_or(r))).map(|l| format!("{l}\n")).collect();
                                if let Err(e) = syn::parse_file(&code) {
                                    problem("doc: example is not valid Rust", format!("{path}: {e}: {code:?}"));
                                }
                            } else if kind != "text" {
                                problem("doc: code block the generator did not write", format!("{path}: ```{kind} {}block: {:?}", if nested { "nested " } else { "" }, snippet(&content, 0)));
                            }
                        }
                    }
                    if path == "src/lib.rs" {
                        check_lib(&file, expect, reference, &mut problem);
                    }
                }
                Err(e) => problem("rust: file does not parse", format!("{path}: {e}")),
            }
        }
    }
    match files.get("Cargo.toml").map(|t| t.parse::<toml::Table>()) {
        None => problem("toml: no Cargo.toml", String::new()),
        Some(Err(e)) => problem("toml: manifest does not parse", e.to_string()),
        Some(Ok(manifest)) => check_manifest(&manifest, expect, reference, &mut problem),
    }
    if let Some(readme) = files.get("README.md") {
        let blocks = code_blocks(readme);
        let foreign: Vec<_> = blocks.iter().filter(|(k, nested, _)| *nested || !matches!(k.as_str(), "toml" | "rust,no_run")).collect();
        // The README has more samples when the API has a `zero_trust` resource (the template's
        // own example API); otherwise exactly those of a plain document.
        // The sample that picks a server is there only for a document with several servers or
        // server variables (the reference has one server without).
        let picks = blocks.iter().filter(|(_, _, c)| c.starts_with("fn pick() ")).count();
        let count_differs = blocks.len() - picks != reference.readme_blocks && !files.contains_key("src/resources/zero_trust.rs");
        if !foreign.is_empty() || count_differs {
            problem(
                "readme: code block the template did not write",
                format!("{} blocks (template: {}); foreign: {:?}", blocks.len(), reference.readme_blocks, foreign.iter().map(|(k, _, c)| (k, snippet(c, 0))).collect::<Vec<_>>()),
            );
        }
        for (kind, _, content) in &blocks {
            if kind == "rust,no_run" {
                if let Err(e) = syn::parse_file(content) {
                    problem("readme: sample is not valid Rust", format!("{e}: {:?}", snippet(content, 0)));
                }
            }
        }
    }
    problems
}

fn check_manifest(m: &toml::Table, expect: &Expect, reference: &Reference, problem: &mut impl FnMut(&str, String)) {
    let keys = |v: Option<&toml::Value>| -> BTreeSet<String> { v.and_then(toml::Value::as_table).map(|t| t.keys().cloned().collect()).unwrap_or_default() };
    let mut top: BTreeSet<String> = m.keys().cloned().collect();
    top.remove("features");
    if top != reference.top {
        problem("toml: unexpected top-level tables", format!("{top:?}, template writes {:?}", reference.top));
    }
    if keys(m.get("package")) != reference.package {
        problem("toml: unexpected [package] keys", format!("{:?}", keys(m.get("package"))));
    }
    // The template's dependencies, plus the libraries a `formats:` mapping asks for.
    let deps = keys(m.get("dependencies"));
    let optional = ["time", "jiff", "uuid"];
    let extra_ok = deps.difference(&reference.dependencies).all(|d| optional.contains(&d.as_str()));
    // A crate with streamed responses also tests them with `futures-util`.
    let dev = keys(m.get("dev-dependencies"));
    let dev_ok = dev.is_superset(&reference.dev_dependencies) && dev.difference(&reference.dev_dependencies).all(|d| d == "futures-util");
    if !reference.dependencies.is_subset(&deps) || !extra_ok || !dev_ok {
        problem("toml: unexpected dependencies", format!("{:?} / {:?}", keys(m.get("dependencies")), keys(m.get("dev-dependencies"))));
    }
    let package = m.get("package");
    let field = |k: &str| package.and_then(|p| p.get(k)).and_then(toml::Value::as_str).map(str::to_string);
    for (key, want) in [("name", &expect.crate_name), ("version", &expect.version), ("license", &expect.license), ("description", &expect.description)] {
        if field(key).as_deref().map(same_text) != Some(same_text(want)) {
            problem("toml: package value differs from the input", format!("{key} = {:?}, input {want:?}", field(key)));
        }
    }
    let lib = m.get("lib").and_then(|l| l.as_table());
    if lib.map(|l| l.keys().cloned().collect::<Vec<_>>()) != Some(vec!["name".to_string()]) || lib.and_then(|l| l["name"].as_str()) != Some(expect.lib_name.as_str()) {
        problem("toml: unexpected [lib]", format!("{lib:?}"));
    }
    if let Some(features) = m.get("features") {
        let ok = features.as_table().is_some_and(|t| {
            let default: Option<BTreeSet<&str>> = t.get("default").and_then(|d| d.as_array()).map(|a| a.iter().filter_map(toml::Value::as_str).collect());
            let names: BTreeSet<&str> = t.keys().map(String::as_str).filter(|k| *k != "default").collect();
            default == Some(names) && t.iter().all(|(k, v)| k == "default" || v.as_array().is_some_and(Vec::is_empty))
        });
        if !ok {
            problem("toml: unexpected [features]", format!("{features:?}"));
        }
    }
}

fn check_lib(file: &syn::File, expect: &Expect, reference: &Reference, problem: &mut impl FnMut(&str, String)) {
    let items: BTreeSet<String> = file.items.iter().map(item_key).collect();
    // A runtime module that only some documents need (request bodies that are not JSON) is
    // declared and re-exported by the template only for them: its name must still be a runtime file.
    let runtime_reexport = |i: &str| {
        i.strip_prefix("use ").and_then(|r| r.strip_suffix(" :: *")).is_some_and(|m| {
            let file = format!("runtime/{m}.rs");
            generator::internal::TEMPLATES.iter().any(|(n, _)| *n == file)
        })
    };
    let extra: Vec<&String> =
        items.iter().filter(|i| !reference.lib_items.contains(*i) && !i.starts_with("mod ") && !runtime_reexport(i)).collect();
    if !extra.is_empty() {
        problem("lib.rs: items the template does not declare", format!("{extra:?}"));
    }
    let want = [
        ("DEFAULT_BASE_URL", expect.base_url.clone()),
        ("ENV_BASE_URL", Some(format!("{}_BASE_URL", expect.env_prefix))),
    ];
    for (name, value) in want {
        let found = file.items.iter().find_map(|i| match i {
            syn::Item::Const(c) if c.ident == name => match &*c.expr {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => Some(String::from("<not a string literal>")),
            },
            _ => None,
        });
        if found.as_deref().map(same_text) != value.as_deref().map(same_text) {
            problem("lib.rs: constant differs from the input", format!("{name} = {found:?}, input {value:?}"));
        }
    }
}

/// A value as it must survive into the output: exactly, or with control characters dropped and
/// whitespace runs folded to one space (a one-line manifest value may be written that way).
fn same_text(s: &str) -> String {
    let kept: String = s.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).filter(|c| !forbidden_char(*c)).collect();
    kept.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// `struct Name`, `const NAME`, `mod name`, `use …`: what a `lib.rs` item declares.
fn item_key(item: &syn::Item) -> String {
    use quote::ToTokens as _;
    match item {
        syn::Item::Const(c) => format!("const {}", c.ident),
        syn::Item::Struct(s) => format!("struct {}", s.ident),
        syn::Item::Mod(m) => format!("mod {}", m.ident),
        syn::Item::Use(u) => format!("use {}", u.tree.to_token_stream()),
        other => format!("other {}", other.to_token_stream()),
    }
}

/// Raw characters that must never reach a generated file: C0/C1 controls other than LF and
/// tab (tab is ordinary whitespace in Rust, TOML and Markdown) and the bidi controls that make
/// text display in another order than it compiles.
fn forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn snippet(text: &str, at: usize) -> String {
    let start = text[..at.min(text.len())].char_indices().rev().nth(20).map_or(0, |(i, _)| i);
    text[start..].chars().take(60).collect()
}

/// The doc text rustdoc sees for each documented thing: consecutive `#[doc]` attributes joined
/// with newlines, including those inside macro invocations (`string_enum!` variants carry the
/// docs the generator writes for them).
pub fn doc_texts(file: &syn::File) -> Vec<String> {
    let mut v = Docs::default();
    v.visit_file(file);
    v.flush();
    v.out
}

#[derive(Default)]
struct Docs {
    current: Vec<String>,
    out: Vec<String>,
}

impl Docs {
    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.out.push(self.current.join("\n"));
            self.current.clear();
        }
    }

    fn attribute_doc(attr: &syn::Attribute) -> Option<String> {
        match &attr.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Doc attributes written as tokens (`#[doc = "…"]` inside a macro call).
    fn tokens(&mut self, tokens: TokenStream) {
        let list: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < list.len() {
            match (&list[i], list.get(i + 1)) {
                (TokenTree::Punct(p), Some(TokenTree::Group(g))) if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket => {
                    match syn::parse2::<syn::Meta>(g.stream()).ok().and_then(|m| Self::attribute_doc(&syn::parse_quote!(#[#m]))) {
                        Some(d) => self.current.push(d),
                        None => self.flush(),
                    }
                    i += 2;
                    continue;
                }
                (TokenTree::Group(g), _) => {
                    self.flush();
                    self.tokens(g.stream());
                }
                _ => self.flush(),
            }
            i += 1;
        }
        self.flush();
    }
}

impl<'ast> Visit<'ast> for Docs {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        match Self::attribute_doc(attr) {
            Some(d) => self.current.push(d),
            None => self.flush(),
        }
    }
    fn visit_item(&mut self, i: &'ast syn::Item) {
        self.flush();
        syn::visit::visit_item(self, i);
    }
    fn visit_field(&mut self, f: &'ast syn::Field) {
        self.flush();
        syn::visit::visit_field(self, f);
    }
    fn visit_variant(&mut self, v: &'ast syn::Variant) {
        self.flush();
        syn::visit::visit_variant(self, v);
    }
    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        self.flush();
        syn::visit::visit_impl_item(self, i);
    }
    fn visit_visibility(&mut self, v: &'ast syn::Visibility) {
        self.flush();
        syn::visit::visit_visibility(self, v);
    }
    fn visit_ident(&mut self, _: &'ast proc_macro2::Ident) {
        self.flush();
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.flush();
        self.tokens(m.tokens.clone());
    }
}

/// Rustdoc's unindent: the smallest indentation of the non-blank lines is removed from all.
fn unindent(doc: &str) -> String {
    let min = doc
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    doc.lines().map(|l| if l.len() >= min { &l[min..] } else { l.trim_start() }).collect::<Vec<_>>().join("\n")
}

/// Every code block in Markdown, as rustdoc's parser finds them: (info string, or `indented`;
/// inside a quote, list or footnote; contents).
pub fn code_blocks(markdown: &str) -> Vec<(String, bool, String)> {
    let options = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_FOOTNOTES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_TASKLISTS;
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<(String, bool, String)> = None;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::Item | Tag::FootnoteDefinition(_)) => depth += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Item | TagEnd::FootnoteDefinition) => depth = depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.trim().to_string(),
                    CodeBlockKind::Indented => "indented".to_string(),
                };
                current = Some((info, depth > 0, String::new()));
            }
            Event::Text(t) => {
                if let Some((_, _, c)) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}
