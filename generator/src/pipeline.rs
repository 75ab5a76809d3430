//! The pipeline, in one place: build the IR from the loaded document, emit and format the Rust
//! files, render the templates, and (for a module of another crate) join them into one file.
//! Pure: reads nothing and writes nothing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::module::ModulePath;
use crate::{build, emit, format, ir, locate, render, split, GenerateError, Generated, Input, Timings};

/// At most this many threads emit and format files: past a few, memory (one file's tokens per
/// thread) grows faster than the time saved.
const MAX_THREADS: usize = 4;

/// Types per part of `models.rs`: the file is made in parts of this many types so that the
/// threads share it (for a large API it is half the Rust code), each part's tokens and syntax
/// tree alive only while it is printed.
const TYPES_PER_PART: usize = 512;

/// How many diagnostics get a line number (all are located in one pass over the document).
const MAX_LOCATED_DIAGNOSTICS: usize = 200;

/// One piece of work for the threads: a generated Rust file, or a part of one, to make under
/// its name, or the templates.
enum Job<'a> {
    /// A run of the types of `models.rs` (the first part also opens the file).
    Models(&'a [&'a ir::TypeDef], bool),
    /// With a split workspace: the facade's `models.rs` (re-exports and the facade's types).
    FacadeModels(&'a split::Layout),
    /// A member crate's `lib.rs`: the shared crate (`None`) or a group's.
    Member(&'a split::Layout, Option<usize>),
    ResourcesRoot,
    Auth,
    Servers,
    Resource(&'a [String], &'a ir::Resource),
    /// `tests/contract.rs`, when the configuration asks for contract tests.
    Contract,
    /// The manifest, README, `lib.rs`, reference and runtime files ([`render::render`]).
    Render,
}

/// What the threads made: the formatted text of each file job (by job index), the rendered
/// files, and the time spent emitting, formatting and rendering, summed over the threads.
#[derive(Default)]
struct Made {
    /// (job index, text or error)
    texts: Vec<(usize, Result<String, GenerateError>)>,
    rendered: Option<Result<Vec<(String, String)>, render::RenderError>>,
    emit: Duration,
    format: Duration,
    render: Duration,
}

/// What the templates need besides the IR.
struct RenderInput<'a> {
    prov: &'a render::Provenance<'a>,
    modules: &'a [String],
    features: &'a [String],
    /// The split workspace's layout, when the crate is split.
    layout: Option<&'a split::Layout>,
}

/// Makes `jobs` on a few threads, each file's tokens made and printed on the thread that takes
/// it (token streams are not `Send`), so at most one file's (or part's) tokens per thread are
/// alive at a time; the templates are rendered on one of them meanwhile. Returns the files by
/// name (the parts of a file joined in job order, `header` first), the first failure in job
/// order, and the emit, format and render times summed over the threads.
fn make_files(
    jobs: &[(String, Job<'_>)],
    header: &str,
    module: Option<&ModulePath>,
    api: &ir::Api,
    plan: &emit::Plan,
    templates: &RenderInput<'_>,
) -> Result<(BTreeMap<String, String>, Timings), GenerateError> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut made = Made::default();
        let t = Instant::now();
        let allow = emit::allow_deprecated(api);
        made.emit += t.elapsed();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((name, job)) = jobs.get(i) else { break };
            let t = Instant::now();
            // Docs are set aside only for tokens this job formats itself.
            let _docs = (!matches!(job, Job::Render)).then(format::DocsAside::begin);
            let mut tokens = match job {
                Job::Models(part, first) => emit::models_part(api, plan, part, *first),
                Job::FacadeModels(layout) => split::facade_models(api, plan, layout, &allow),
                Job::Member(layout, group) => split::member_lib(api, plan, layout, *group, &allow),
                Job::ResourcesRoot => emit::resources_root(api, plan),
                Job::Auth => emit::auth::auth(api),
                Job::Servers => emit::servers::servers(api),
                Job::Resource(path, node) => emit::resource(api, path, node, &allow),
                Job::Contract => match emit::contract::contract_tests(api, plan) {
                    Ok(tokens) => tokens,
                    Err(message) => {
                        made.emit += t.elapsed();
                        made.texts.push((i, Err(GenerateError::Emit { file: name.clone(), message })));
                        continue;
                    }
                },
                Job::Render => {
                    made.rendered = Some(render::render(api, templates.prov, templates.modules, templates.features, templates.layout));
                    made.render += t.elapsed();
                    continue;
                }
            };
            if let Some(m) = module {
                tokens = m.rebase_tokens(tokens);
            }
            made.emit += t.elapsed();
            let t = Instant::now();
            let text = format::format_file(tokens).map_err(|e| GenerateError::Emit { file: name.clone(), message: e.to_string() });
            made.format += t.elapsed();
            made.texts.push((i, text));
        }
        made
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, MAX_THREADS).min(jobs.len().max(1));
    let results: Vec<Made> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = vec![work()];
        all.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))));
        all
    });
    let mut timings = Timings::default();
    let mut texts: Vec<Option<String>> = vec![None; jobs.len()];
    let mut failure: Option<(usize, GenerateError)> = None;
    let mut rendered = None;
    for made in results {
        timings.emit += made.emit;
        timings.format += made.format;
        timings.render += made.render;
        rendered = rendered.or(made.rendered);
        for (i, text) in made.texts {
            match text {
                Ok(text) => texts[i] = Some(text),
                Err(e) if failure.as_ref().is_none_or(|(j, _)| i < *j) => failure = Some((i, e)),
                Err(_) => {}
            }
        }
    }
    if let Some((_, e)) = failure {
        return Err(e);
    }
    let t = Instant::now();
    let mut files = BTreeMap::new();
    let mut i = 0;
    while i < jobs.len() {
        // A file's parts are consecutive jobs under one name.
        let name = &jobs[i].0;
        let n = jobs[i..].iter().take_while(|(n, _)| n == name).count();
        let parts: Vec<String> = texts[i..i + n].iter_mut().filter_map(Option::take).collect();
        i += n;
        if matches!(jobs[i - 1].1, Job::Render) {
            continue;
        }
        let text = if parts.len() == 1 { parts.into_iter().next().unwrap_or_default() } else { format::join_parts(&parts) };
        let mut out = String::with_capacity(header.len() + 1 + text.len());
        out.push_str(header);
        out.push('\n');
        out.push_str(&text);
        files.insert(name.clone(), out);
    }
    timings.format += t.elapsed();
    for (name, text) in rendered.transpose()?.unwrap_or_default() {
        files.insert(name, text);
    }
    Ok((files, timings))
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
        // A module has no `tests/` folder of its own.
        api.meta.contract = None;
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
    let t = Instant::now();
    // A module has no cargo features of its own to split the API by.
    let plan = if module.is_some() { emit::Plan::default() } else { emit::plan(&api) };
    if plan.ungated > 0 {
        diagnostics.push(crate::diag::Diagnostic {
            severity: crate::diag::Severity::Warning,
            code: "feature-gates-dropped",
            pointer: "/paths".into(),
            line: None,
            message: format!(
                "{} types are compiled whatever the cargo features: so many modules share them that gating each by the features that need it would list too many feature names",
                plan.ungated
            ),
        });
    }
    // A workspace only for a crate (a module is one file) of several top-level resources.
    let layout = if module.is_none() && input.config.krate.split_crates {
        let min = input.config.krate.split_group_types.unwrap_or(crate::config::DEFAULT_SPLIT_GROUP_TYPES);
        split::layout(&api, &plan, min)
    } else {
        None
    };
    let planned = t.elapsed();
    let types: Vec<&ir::TypeDef> = api.types.values().collect();
    // The templates first and then `models.rs` (or the member crates), the largest pieces of
    // work, so that the other threads share out the rest.
    let mut jobs: Vec<(String, Job<'_>)> = vec![(String::new(), Job::Render)];
    match &layout {
        None => {
            if types.is_empty() {
                jobs.push(("src/models.rs".into(), Job::Models(&[], true)));
            }
            jobs.extend(types.chunks(TYPES_PER_PART).enumerate().map(|(i, part)| ("src/models.rs".into(), Job::Models(part, i == 0))));
        }
        Some(l) => {
            jobs.push((format!("{}/src/lib.rs", l.shared.dir()), Job::Member(l, None)));
            jobs.extend(l.groups.iter().enumerate().map(|(i, g)| (format!("{}/src/lib.rs", g.member.dir()), Job::Member(l, Some(i)))));
            jobs.push(("src/models.rs".into(), Job::FacadeModels(l)));
        }
    }
    jobs.extend([
        ("src/resources.rs".into(), Job::ResourcesRoot),
        ("src/auth.rs".into(), Job::Auth),
        ("src/servers.rs".into(), Job::Servers),
    ]);
    jobs.extend(nodes.iter().map(|(path, node)| (format!("src/resources/{}.rs", path.join("/")), Job::Resource(path, node))));
    if api.meta.contract.is_some() {
        jobs.push(("tests/contract.rs".into(), Job::Contract));
    }
    let modules: Vec<String> = api.root.children.keys().cloned().collect();
    let templates = RenderInput { prov: &prov, modules: &modules, features: &plan.features, layout: layout.as_ref() };
    let (mut files, made) = make_files(&jobs, &header, module.as_ref(), &api, &plan, &templates)?;
    let emit_time = made.emit + planned;
    let format = made.format;

    let t3 = Instant::now();
    if let Some(m) = &module {
        files = m.single_file(&files, &header);
    }
    let render = made.render + t3.elapsed();

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
