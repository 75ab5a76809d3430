//! OpenAPI 3.0 → idiomatic async Rust client.
//!
//! The pipeline is pure: [`load`] → [`build`] (name everything into the [`ir`], reading the
//! document through [`spec`], which resolves `$ref`s) → [`emit`] (quote! tokens, formatted by
//! prettyplease) and [`render`] (minijinja templates) → a [`Generated`] set of files keyed by
//! relative path. Only [`write`] touches the disk, and [`driver`] ties the steps together for
//! the CLI and `cargo xtask`.

pub mod build;
pub mod config;
pub mod diag;
pub mod diff;
pub mod driver;
pub mod emit;
pub mod escape;
pub mod format;
pub mod ir;
pub mod limits;
pub mod load;
pub mod locate;
pub mod naming;
pub mod render;
pub mod spec;
pub mod write;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub use config::Config;
pub use diag::{Diagnostic, Severity};
pub use load::Document;

/// What to generate from, and how the output should describe its own making.
pub struct Input<'a> {
    pub doc: &'a Document,
    pub config: &'a Config,
    /// Crate name used when the configuration names none.
    pub default_crate_name: &'a str,
    /// The command that regenerates the output, printed in every header.
    pub command: &'a str,
    /// The inputs as that command names them (`spec/openapi.yaml and spec/codegen.yaml`).
    pub inputs_label: &'a str,
    /// Bytes that, besides the document, decide the output (the configuration text).
    pub extra_hash_input: &'a [u8],
    /// Generate a crate with its own `[workspace]` table.
    pub standalone: bool,
}

/// The generated crate, in memory.
#[derive(Debug, Default)]
pub struct Generated {
    /// Relative path → contents; LF line endings, no timestamps.
    pub files: BTreeMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

/// Time spent per stage, for `cargo xtask bench` and `openapi-rustgen --timings`.
///
/// `load` and `write` are filled in by [`driver`], which reads the document and writes the
/// output folder; [`generate`] fills in the stages between.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading, parsing and validating the document.
    pub load: Duration,
    /// Building the IR: resolving `$ref`s, naming, locating diagnostics.
    pub resolve: Duration,
    /// Building `quote!` token streams.
    pub emit: Duration,
    /// Parsing the tokens with syn and printing them with prettyplease.
    pub format: Duration,
    /// Rendering the templates and the runtime files.
    pub render: Duration,
    /// Comparing with the output folder and writing what changed.
    pub write: Duration,
}

impl Timings {
    /// One line, `stage=seconds` pairs, for tools to read.
    pub fn line(&self) -> String {
        let s = |d: Duration| format!("{:.6}", d.as_secs_f64());
        format!(
            "timings: load={} resolve={} emit={} format={} render={} write={}",
            s(self.load),
            s(self.resolve),
            s(self.emit),
            s(self.format),
            s(self.render),
            s(self.write)
        )
    }
}

/// Why generation stopped. Each variant's message names the file and the place in it.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Load(#[from] load::LoadError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Build(#[from] build::BuildError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error("internal error: generated `{file}` is not valid Rust ({message}); please report this with the input document")]
    Emit { file: String, message: String },
}

/// How many diagnostics get a line number (all are located in one pass over the document).
const MAX_LOCATED_DIAGNOSTICS: usize = 200;

/// Short hash over everything that decides the output.
pub fn inputs_hash(doc_text: &str, extra: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update([0]);
    for (name, text) in render::TEMPLATES {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    h.update(doc_text.as_bytes());
    h.update([0]);
    h.update(extra);
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Generated Rust files, with the time spent making them.
struct FileSet<'h> {
    header: &'h str,
    files: Vec<(String, String)>,
    emit: Duration,
    format: Duration,
}

impl<'h> FileSet<'h> {
    fn new(header: &'h str) -> Self {
        FileSet { header, files: Vec::new(), emit: Duration::ZERO, format: Duration::ZERO }
    }

    /// Emits one file's tokens, formats them and adds the text under the header.
    fn add(&mut self, name: String, make: impl FnOnce() -> proc_macro2::TokenStream) -> Result<(), GenerateError> {
        let t = Instant::now();
        let tokens = make();
        self.emit += t.elapsed();
        let t = Instant::now();
        let text = format::format_file(tokens).map_err(|e| GenerateError::Emit {
            file: name.clone(),
            message: e.to_string(),
        })?;
        let mut out = String::with_capacity(self.header.len() + 1 + text.len());
        out.push_str(self.header);
        out.push('\n');
        out.push_str(&text);
        self.files.push((name, out));
        self.format += t.elapsed();
        Ok(())
    }
}

/// Generates the whole crate in memory.
pub fn generate(input: &Input) -> Result<Generated, GenerateError> {
    let t0 = Instant::now();
    let (api, mut diagnostics) = build::build(input.doc, input.config, input.default_crate_name)?;
    // Only the first diagnostics get a line (they are what a reader looks at), and only when
    // the document has lines at all (a one-line JSON document would say "line 1" every time).
    if input.doc.text.trim_end().contains('\n') {
        let n = diagnostics.len().min(MAX_LOCATED_DIAGNOSTICS);
        let located = &mut diagnostics[..n];
        let pointers: Vec<&str> = located.iter().map(|d| d.pointer.as_str()).collect();
        let lines = locate::lines_of(&input.doc.text, &pointers);
        for (d, line) in located.iter_mut().zip(lines) {
            d.line = line;
        }
    }
    let resolve = t0.elapsed();

    let hash = inputs_hash(&input.doc.text, input.extra_hash_input);
    let prov = render::Provenance {
        command: input.command,
        inputs: input.inputs_label,
        hash: &hash,
        standalone: input.standalone,
    };
    let header = render::header(&prov, "//");

    // Each file is emitted and formatted before the next one is emitted, so only one file's
    // tokens are alive at a time (models.rs alone is most of a large API).
    let mut nodes: Vec<(Vec<String>, &ir::Resource)> = Vec::new();
    let mut stack: Vec<(Vec<String>, &ir::Resource)> =
        api.root.children.values().map(|c| (vec![c.name.clone()], c)).collect();
    while let Some((path, node)) = stack.pop() {
        for c in node.children.values() {
            let mut p = path.clone();
            p.push(c.name.clone());
            stack.push((p, c));
        }
        nodes.push((path, node));
    }
    let mut out = FileSet::new(&header);
    let t = Instant::now();
    let plan = emit::plan(&api);
    out.emit += t.elapsed();
    out.add("src/models.rs".into(), || emit::models(&api, &plan))?;
    out.add("src/resources.rs".into(), || emit::resources_root(&api, &plan))?;
    for (path, node) in &nodes {
        out.add(format!("src/resources/{}.rs", path.join("/")), || emit::resource(&api, path, node))?;
    }
    let (emit_time, format) = (out.emit, out.format);
    let mut files: BTreeMap<String, String> = out.files.into_iter().collect();

    let t3 = Instant::now();
    let modules: Vec<String> = api.root.children.keys().cloned().collect();
    for (name, text) in render::render(&api, &prov, &modules, &plan.features)? {
        files.insert(name, text);
    }
    let render = t3.elapsed();

    Ok(Generated {
        files,
        diagnostics,
        timings: Timings {
            load: Duration::ZERO,
            resolve,
            emit: emit_time,
            format,
            render,
            write: Duration::ZERO,
        },
    })
}

/// The client sample in the project README, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ProjectReadme;
