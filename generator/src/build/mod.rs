//! Spec → IR: names every type and builds the resource tree, reading the document only through
//! [`crate::spec`]. Walk order is sorted (paths, methods, then components), so names and output
//! do not depend on the order of keys in the document.
//!
//! One [`Builder`] carries the state; its `impl` is spread by concern: `names` (claiming type
//! names), `shape` (schema → [`Ty`] and named types), `operation` (the resource tree), `body`
//! (request and response bodies by content type), `errors` (error bodies by status),
//! `security` (schemes and requirements), `servers` (the document's and operations' servers),
//! `crate_meta` (crate identity), `cycles` (boxing fields that close a cycle) and `budget`
//! (weighing what the build makes against the input's size).

mod body;
mod budget;
mod crate_meta;
pub(crate) mod cycles;
mod errors;
mod names;
pub(crate) use names::STD_TYPE_NAMES;
mod operation;
mod placement;
mod same_enums;
mod security;
mod servers;
mod shape;

use std::collections::{BTreeMap, HashMap};

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::ir::*;
use crate::load::Document;
use crate::locate::join;
use crate::naming::camel;
use crate::spec::{PointerMemo, Spec, SpecError};

/// Why the document and configuration cannot be built into a crate.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A `$ref` or nesting problem (see [`SpecError`]).
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A crate identity value that cannot be written into `Cargo.toml` or Rust as it is.
    #[error("{}: `{key}` is {value}: {reason}; change it {}", crate::escape::shown(.place), crate::escape::shown(.fix))]
    CrateIdentity {
        /// Where the value was set: `codegen.yaml:LINE`, or the command-line flag.
        place: String,
        key: &'static str,
        /// The value, escaped so it prints on one line.
        value: String,
        reason: &'static str,
        /// Where to change it (`in codegen.yaml`, `with --name`).
        fix: String,
    },
    /// The types and methods the operations ask for outgrow the document (see
    /// [`crate::limits::BUILD_BYTES_PER_BYTE`]).
    #[error(
        "{}:{line}: at {}, the types, methods and warnings this document generates pass {} MiB ({} bytes for each byte of input, at least {} MiB){}. What is written once but made many times passes it most often (a parameter or request body shared by `$ref` is copied into every operation that uses it): share such a part with fewer operations, or generate fewer operations (`select:` in the configuration); see \"Limits\" in the README",
        crate::escape::shown(.file),
        crate::escape::shown(.pointer),
        .allowed >> 20,
        crate::limits::BUILD_BYTES_PER_BYTE,
        crate::limits::MIN_BUILD_BYTES >> 20,
        .heaviest.as_ref().map(|(name, fields)| format!("; the heaviest type made there is `{}`, with {fields} field(s)", crate::escape::shown(name))).unwrap_or_default()
    )]
    TooMuchCode {
        /// The file, as messages name it.
        file: String,
        /// 1-based line of the place.
        line: usize,
        /// The operation (or `/servers`, or the document's end) where the budget ran out, as written.
        pointer: String,
        /// The budget in bytes.
        allowed: usize,
        /// The heaviest type made since the place before, and its fields.
        heaviest: Option<(String, usize)>,
    },
    /// The configuration's `auth:` names a scheme or requirement the document does not have.
    #[error("{}: `{}` {}; change it in {}", crate::escape::shown(.place), crate::escape::shown(.key), crate::escape::shown(.message), crate::escape::shown(.file))]
    AuthConfig {
        /// `codegen.yaml:LINE`.
        place: String,
        /// Where in the file, dotted (`auth.requirements.api_key`).
        key: String,
        message: String,
        file: String,
    },
    /// An operation's `paginate:` in the configuration cannot be applied to the document.
    #[error("{}: `{}` {}; change it in {}", crate::escape::shown(.place), crate::escape::shown(.key), crate::escape::shown(.message), crate::escape::shown(.file))]
    PagingConfig {
        /// `codegen.yaml:LINE`.
        place: String,
        /// Where in the file, dotted (`operations.listThings.paginate`).
        key: String,
        message: String,
        file: String,
    },
}

/// Builds the IR from a loaded document and its configuration.
pub fn build(
    doc: &Document,
    cfg: &Config,
    crate_name: &str,
) -> Result<(Api, Vec<Diagnostic>), BuildError> {
    let memo = PointerMemo::default();
    let fit_steps = std::cell::Cell::new(crate::limits::MIN_FIT_STEPS.max(crate::limits::FIT_STEPS_PER_BYTE.saturating_mul(doc.budget_bytes())));
    let mut b = Builder {
        spec: Spec::new(doc).with_memo(&memo).with_fit_budget(&fit_steps),
        cfg,
        types: BTreeMap::new(),
        named: HashMap::new(),
        owners: HashMap::new(),
        owned_by: HashMap::new(),
        next_number: HashMap::new(),
        next_method_number: HashMap::new(),
        diags: Vec::new(),
        in_progress: Vec::new(),
        union_base: HashMap::new(),
        security: Default::default(),
        servers: Default::default(),
        budget: budget::Budget::new(doc.budget_bytes()),
        reported_servers: Default::default(),
        server_indices: Default::default(),
    };
    b.meta_component_names();
    b.security_schemes()?;
    let document_url = b.document_servers();
    b.within_budget("/servers")?;
    let root = b.operations()?;
    let mut security = b.finish_security()?;
    for name in &cfg.extra_schemas {
        let ptr = join("/components/schemas", name);
        if b.spec.get(&ptr).is_none() {
            b.diag("unknown-extra-schema", &ptr, format!("`extra_schemas` names `{name}`, which is not under components/schemas"));
            continue;
        }
        b.ty_of(&ptr, &camel(name))?;
        b.within_budget(&ptr)?;
    }
    b.within_budget("")?;
    cycles::box_cycles(&mut b.types);
    if cfg.krate.alias_same_enums {
        same_enums::alias_same_enums(&mut b.types, &b.owners);
    }
    let meta = crate_meta::crate_meta(doc, cfg, crate_name, document_url);
    crate_meta::check_crate_identity(&meta, cfg)?;
    for scheme in &mut security.schemes {
        scheme.env = format!("{}_{}", meta.env_prefix, scheme.env);
    }
    let mut diags = b.diags;
    diags.sort();
    diags.dedup();
    Ok((
        Api {
            meta,
            types: b.types,
            root,
            security,
            servers: b.servers,
        },
        diags,
    ))
}

/// The state of one build: the names claimed so far and the types made.
struct Builder<'a> {
    spec: Spec<'a>,
    cfg: &'a Config,
    types: BTreeMap<String, TypeDef>,
    /// Schema pointer → the Rust name of the type generated for it.
    named: HashMap<String, String>,
    /// Rust name → the schema pointer that owns it.
    owners: HashMap<String, String>,
    /// The reverse of `owners`: pointer → the names it owns.
    owned_by: HashMap<String, Vec<String>>,
    /// Name hint → the first number worth trying for it (`{hint}{n}`); see `claim`.
    next_number: HashMap<String, usize>,
    /// (resource path, method name) → the first number worth trying for a duplicate of it.
    next_method_number: HashMap<(String, String), usize>,
    diags: Vec<Diagnostic>,
    /// Schemas whose shape is being worked out, to stop cycles that pass through no named
    /// type (an array of itself, a map of itself, a lone `allOf` of itself).
    in_progress: Vec<String>,
    /// An inline `oneOf`/`anyOf` part → the union schema whose own `properties` and `required`
    /// (beside the alternatives) its struct also takes: every variant carries them.
    union_base: HashMap<String, String>,
    /// Security schemes and requirements met so far (see `security`).
    security: security::SecurityState,
    /// The document's servers and those operations declare (see `servers`).
    servers: Servers,
    /// What the types and operations made so far weigh, against what the input allows.
    budget: budget::Budget,
    /// The servers operations declare whose warnings are given, by pointer.
    reported_servers: std::collections::HashSet<String>,
    /// The operation servers with each URL, by URL: found by map, not by comparing every
    /// server with every operation's (10,000 operations with servers of their own).
    server_indices: std::collections::HashMap<String, Vec<usize>>,
}

impl Builder<'_> {
    /// A sample value for the schema at `ptr`, made only when contract tests are generated.
    fn sample(&self, ptr: &str) -> Option<serde_json::Value> {
        self.cfg.tests.contract.then(|| self.spec.sample(ptr)).flatten()
    }

    /// A parameter's sample (its own example first), made only for contract tests.
    fn parameter_sample(&self, param_ptr: &str) -> Option<serde_json::Value> {
        self.cfg.tests.contract.then(|| self.spec.parameter_sample(param_ptr)).flatten()
    }

    /// Records a warning; lines are filled in later, for the first few only (see `generate`).
    fn diag(&mut self, code: &'static str, ptr: &str, message: String) {
        self.diag_at(Severity::Warning, code, ptr, message);
    }

    /// Records a diagnostic of any severity, weighed against the build's budget; once that is
    /// spent none is kept, and the build is refused after the operation it is building.
    fn diag_at(&mut self, severity: Severity, code: &'static str, ptr: &str, message: String) {
        if !self.charge(std::mem::size_of::<Diagnostic>() + ptr.len() + message.len()) {
            return;
        }
        let line = None;
        self.diags.push(Diagnostic {
            severity,
            code,
            pointer: ptr.to_string(),
            line,
            message,
        });
    }
}
