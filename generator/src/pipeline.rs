//! The pipeline, in one place: build the IR from the loaded document, emit and format the Rust
//! files, render the templates, and (for a module of another crate) join them into one file.
//! Pure: reads nothing and writes nothing.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::module::ModulePath;
use crate::{build, emit, format, ir, locate, render, GenerateError, Generated, Input, Timings};

/// How many diagnostics get a line number (all are located in one pass over the document).
const MAX_LOCATED_DIAGNOSTICS: usize = 200;

/// Generated Rust files, with the time spent making them.
struct FileSet<'h> {
    header: &'h str,
    /// Set when the output is a module of another crate: `crate::` paths are rebased onto it.
    module: Option<&'h ModulePath>,
    files: Vec<(String, String)>,
    emit: Duration,
    format: Duration,
}

impl<'h> FileSet<'h> {
    fn new(header: &'h str, module: Option<&'h ModulePath>) -> Self {
        FileSet { header, module, files: Vec::new(), emit: Duration::ZERO, format: Duration::ZERO }
    }

    /// Emits one file's tokens, formats them and adds the text under the header.
    fn add(&mut self, name: String, make: impl FnOnce() -> proc_macro2::TokenStream) -> Result<(), GenerateError> {
        let t = Instant::now();
        let mut tokens = make();
        if let Some(m) = self.module {
            tokens = m.rebase_tokens(tokens);
        }
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

/// Generates the whole crate (or, with [`Input::module`], the one module file) in memory: every
/// stage from the loaded document to the text of each file.
pub fn generate(input: &Input) -> Result<Generated, GenerateError> {
    let module = input.module.map(ModulePath::parse).transpose()?;
    let t0 = Instant::now();
    let (mut api, built) = build::build(input.doc, input.config, input.default_crate_name)?;
    // What normalization left out comes first; every pointer names the document as written.
    let mut diagnostics = input.doc.notes.clone();
    diagnostics.extend(built.into_iter().map(|mut d| {
        d.pointer = input.doc.original_pointer(&d.pointer);
        d
    }));
    if let Some(m) = &module {
        // Doc examples name the items from outside: `my_crate::api::Client`.
        api.meta.lib_name = m.outside_path(&api.meta.lib_name);
    }
    // A node an overlay wrote has no line in the document's text: say which action wrote it.
    let mut overlaid = vec![false; diagnostics.len()];
    if !input.doc.written.is_empty() {
        for (d, o) in diagnostics.iter_mut().zip(&mut overlaid) {
            if let Some(origin) = input.doc.written.origin_of(&d.pointer) {
                d.message = format!("{} ({})", d.message, origin.describe());
                *o = true;
            }
        }
    }
    // Only the first diagnostics get a line (they are what a reader looks at), and only when
    // the document has lines at all (a one-line JSON document would say "line 1" every time).
    if input.doc.text.trim_end().contains('\n') {
        let n = diagnostics.len().min(MAX_LOCATED_DIAGNOSTICS);
        let located = &mut diagnostics[..n];
        let pointers: Vec<&str> = located.iter().map(|d| d.pointer.as_str()).collect();
        let lines = locate::lines_of(&input.doc.text, &pointers);
        for ((d, line), o) in located.iter_mut().zip(lines).zip(&overlaid) {
            d.line = if *o { None } else { line };
        }
    }
    let resolve = t0.elapsed();

    let prov = render::Provenance {
        command: input.command,
        inputs: input.inputs_label,
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
    let mut out = FileSet::new(&header, module.as_ref());
    let t = Instant::now();
    // A module has no cargo features of its own to split the API by.
    let plan = if module.is_some() { emit::Plan::default() } else { emit::plan(&api) };
    out.emit += t.elapsed();
    out.add("src/models.rs".into(), || emit::models(&api, &plan))?;
    out.add("src/resources.rs".into(), || emit::resources_root(&api, &plan))?;
    out.add("src/auth.rs".into(), || emit::auth::auth(&api))?;
    out.add("src/servers.rs".into(), || emit::servers::servers(&api))?;
    let allow = emit::allow_deprecated(&api);
    for (path, node) in &nodes {
        out.add(format!("src/resources/{}.rs", path.join("/")), || emit::resource(&api, path, node, &allow))?;
    }
    let (emit_time, format) = (out.emit, out.format);
    let mut files: BTreeMap<String, String> = out.files.into_iter().collect();

    let t3 = Instant::now();
    let modules: Vec<String> = api.root.children.keys().cloned().collect();
    for (name, text) in render::render(&api, &prov, &modules, &plan.features)? {
        files.insert(name, text);
    }
    if let Some(m) = &module {
        files = m.single_file(&files, &header);
    }
    let render = t3.elapsed();

    Ok(Generated {
        files,
        diagnostics,
        timings: Timings {
            load: Duration::ZERO,
            overlays: Duration::ZERO,
            resolve,
            emit: emit_time,
            format,
            render,
            write: Duration::ZERO,
        },
    })
}


/// How many operations of a document page in each style (`page_number`, `cursor`, …), and how
/// many are not paged (`none`): the figures the README's paging section quotes.
pub fn paging_styles(doc: &crate::Document, config: &crate::Config) -> Result<std::collections::BTreeMap<&'static str, usize>, GenerateError> {
    fn walk(node: &crate::ir::Resource, counts: &mut std::collections::BTreeMap<&'static str, usize>) {
        for op in node.operations.values() {
            *counts.entry(op.pagination.as_ref().map_or("none", |p| p.style.name())).or_default() += 1;
        }
        for child in node.children.values() {
            walk(child, counts);
        }
    }
    let (api, _) = build::build(doc, config, "paging-styles")?;
    let mut counts = std::collections::BTreeMap::new();
    walk(&api.root, &mut counts);
    Ok(counts)
}
