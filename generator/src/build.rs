//! Spec → IR: resolves `$ref`s (keeping the keywords beside them), names every type, and builds
//! the resource tree. Walk order is sorted (paths, methods, then components), so names and output
//! do not depend on the order of keys in the document.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::config::{Config, OperationConfig};
use crate::diag::{Diagnostic, Severity};
use crate::ir::*;
use crate::load::Document;
use crate::limits::MAX_SCHEMA_DEPTH;
use crate::locate::{self, join};
use crate::naming::{camel, singular, snake};

/// A `$ref` problem that makes the document unusable.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}:{line}: `$ref: {}` at {} points to nothing in this document; define the target under `components` or correct the reference", crate::escape::shown(.file), crate::escape::shown(.reference), crate::escape::shown(.pointer))]
    MissingRef {
        file: String,
        line: usize,
        pointer: String,
        reference: String,
    },
    #[error("{}:{line}: `$ref: {}` at {} refers to another file or URL; bundle the document into one file first (for example `npx @redocly/cli bundle`)", crate::escape::shown(.file), crate::escape::shown(.reference), crate::escape::shown(.pointer))]
    ExternalRef {
        file: String,
        line: usize,
        pointer: String,
        reference: String,
    },
    #[error("{}:{line}: the schema at {} nests too deeply: {what}; this generator follows at most {limit} (see \"Limits\" in its README)", crate::escape::shown(.file), crate::escape::shown(.pointer))]
    TooDeep {
        file: String,
        line: usize,
        pointer: String,
        /// What exceeded the limit, in words.
        what: &'static str,
        limit: usize,
    },
    #[error("{}:{line}: circular `$ref` alias {}: each only points to the next, so none defines a schema; make one of them a real schema", crate::escape::shown(.file), crate::escape::shown(.cycle))]
    RefCycle {
        file: String,
        line: usize,
        cycle: String,
    },
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
}

use crate::render::CLIENT_METHODS;

/// Methods `Client` gets from derived traits (`CLIENT_METHODS` lists those written out).
const CLIENT_TRAIT_METHODS: &[&str] = &["clone", "clone_from"];

/// Crates generated resource modules name in paths; a child module of the same name would hide them.
const SHADOWED_CRATES: &[&str] = &["std", "core", "alloc", "serde", "serde_json", "reqwest"];

/// Standard names the generated code and the runtime's `string_enum!` use unqualified in
/// models and resource modules; a type of the same name would hide them there.
const STD_TYPE_NAMES: &[&str] = &["Option", "Vec", "String", "Box", "BTreeMap", "Result", "From"];

/// The owner recorded for a reserved standard name.
const STD_OWNER: &str = "<std>";

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Keywords read from a schema node and from the `$ref`s that lead to it.
#[derive(Debug, Clone, Default)]
struct Meta {
    description: Option<String>,
    nullable: bool,
    read_only: bool,
    write_only: bool,
    deprecated: bool,
    /// `default`, as JSON text.
    default: Option<String>,
}

impl Meta {
    /// Fills what is still unset from `node` (outer nodes are read first and win).
    fn absorb(&mut self, node: &Map<String, Value>) {
        if self.description.is_none() {
            self.description = node
                .get("description")
                .and_then(Value::as_str)
                .or_else(|| node.get("title").and_then(Value::as_str))
                .map(str::to_string);
        }
        let flag = |k: &str| node.get(k).and_then(Value::as_bool).unwrap_or(false);
        self.nullable |= flag("nullable");
        self.read_only |= flag("readOnly");
        self.write_only |= flag("writeOnly");
        self.deprecated |= flag("deprecated");
        if self.default.is_none() {
            self.default = node.get("default").map(Value::to_string);
        }
        if let Some(Value::Array(values)) = node.get("enum") {
            self.nullable |= values.iter().any(Value::is_null);
        }
    }
}

/// Builds the IR from a loaded document and its configuration.
pub fn build(
    doc: &Document,
    cfg: &Config,
    crate_name: &str,
) -> Result<(Api, Vec<Diagnostic>), BuildError> {
    let mut b = Builder {
        doc,
        cfg,
        types: BTreeMap::new(),
        named: HashMap::new(),
        owners: HashMap::new(),
        owned_by: HashMap::new(),
        next_number: HashMap::new(),
        next_method_number: HashMap::new(),
        diags: Vec::new(),
        in_progress: Vec::new(),
    };
    b.meta_component_names();
    let root = b.operations()?;
    for name in &cfg.extra_schemas {
        let ptr = join("/components/schemas", name);
        if locate::get(&doc.raw, &ptr).is_none() {
            b.diag("unknown-extra-schema", &ptr, format!("`extra_schemas` names `{name}`, which is not under components/schemas"));
            continue;
        }
        b.ty_of(&ptr, &camel(name))?;
    }
    box_cycles(&mut b.types);
    let meta = crate_meta(doc, cfg, crate_name);
    check_crate_identity(&meta, cfg)?;
    let mut diags = b.diags;
    diags.sort();
    diags.dedup();
    Ok((
        Api {
            meta,
            types: b.types,
            root,
        },
        diags,
    ))
}

fn crate_meta(doc: &Document, cfg: &Config, crate_name: &str) -> CrateMeta {
    let info = doc.raw.get("info");
    let info_str = |k: &str| {
        info.and_then(|i| i.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let title = info_str("title");
    let k = &cfg.krate;
    let crate_name = k.name.clone().unwrap_or_else(|| crate_name.to_string());
    let base_url = k.base_url.clone().unwrap_or_else(|| {
        doc.raw
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .unwrap_or("http://localhost")
            .trim_end_matches('/')
            .to_string()
    });
    CrateMeta {
        lib_name: crate_name.replace('-', "_"),
        version: k.version.clone().unwrap_or_else(|| "0.1.0".into()),
        description: k
            .description
            .clone()
            .unwrap_or_else(|| format!("Async Rust client for {}", if title.is_empty() { "an HTTP API" } else { &title })),
        license: k.license.clone().unwrap_or_else(|| "MIT OR Apache-2.0".into()),
        api_version: info_str("version"),
        title,
        base_url,
        env_prefix: k
            .env_prefix
            .clone()
            .unwrap_or_else(|| snake(&crate_name).to_uppercase()),
        idempotency_header: k.idempotency_header.clone(),
        crate_name,
    }
}

/// Refuses crate identity values that `Cargo.toml` or Rust cannot carry: a crate name that is
/// not a valid package and library name, a version that is not semver, a license with hidden
/// characters, an environment prefix that is not a variable name. (Free text, such as the
/// description and the base URL, is escaped instead.)
fn check_crate_identity(meta: &CrateMeta, cfg: &Config) -> Result<(), BuildError> {
    let from_config = |set: bool, key: &'static str, fallback: &'static str| if set { key } else { fallback };
    let k = &cfg.krate;
    let err = |key: &'static str, value: &str, reason: &'static str| {
        let (place, fix) = match key.strip_prefix("crate.") {
            Some(member) if !cfg.file.is_empty() => {
                let place = match cfg.line_of(&["crate", member]) {
                    Some(line) => format!("{}:{line}", cfg.file),
                    None => cfg.file.clone(),
                };
                (place, format!("in {}", cfg.file))
            }
            _ => (key.to_string(), format!("with {key}")),
        };
        BuildError::CrateIdentity { place, key, value: crate::escape::rust_str(value), reason, fix }
    };
    let name_key = from_config(k.name.is_some(), "crate.name", "--name");
    let name = &meta.crate_name;
    let valid_name = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !crate::naming::is_keyword(&meta.lib_name);
    if !valid_name {
        return Err(err(name_key, name, "a crate name is 1 to 64 ASCII letters, digits, `-` and `_`, starts with a letter and is not a Rust keyword"));
    }
    if !is_semver(&meta.version) {
        return Err(err("crate.version", &meta.version, "a crate version is semver, such as `1.2.3` or `0.1.0-beta.1`"));
    }
    if meta.license.chars().any(|c| c.is_control() || crate::escape::is_hidden(c)) {
        return Err(err("crate.license", &meta.license, "a license is one line of visible text, such as `MIT OR Apache-2.0`"));
    }
    let prefix = &meta.env_prefix;
    let valid_prefix = !prefix.is_empty()
        && !prefix.starts_with(|c: char| c.is_ascii_digit())
        && prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_prefix {
        let key = from_config(k.env_prefix.is_some(), "crate.env_prefix", "crate.name");
        return Err(err(key, prefix, "an environment variable prefix is ASCII letters, digits and `_`, not starting with a digit"));
    }
    Ok(())
}

/// `MAJOR.MINOR.PATCH`, optionally `-pre.release` and `+build`, as cargo requires.
fn is_semver(v: &str) -> bool {
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| number(p))
        && pre.is_none_or(|p| p.split('.').all(ident))
        && build.is_none_or(|b| b.split('.').all(ident))
}

/// State of one property collection (`collect_props`): the schemas merged so far, and where
/// each property name sits in the list, so neither is searched linearly.
struct Merge {
    seen: std::collections::HashSet<String>,
    index: HashMap<String, usize>,
}

/// One operation found under `paths`.
struct PathOp<'a> {
    /// The path template it is generated under.
    path: &'a str,
    method: &'static str,
    /// Where the operation object is (inside the path item a `$ref` leads to, when it does).
    op_ptr: String,
    /// The path items whose `parameters` apply, outermost (the `$ref` target) first.
    items: Vec<String>,
}

struct Builder<'a> {
    doc: &'a Document,
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
}

impl<'a> Builder<'a> {
    fn raw(&self) -> &'a Value {
        &self.doc.raw
    }

    fn line(&self, ptr: &str) -> Option<usize> {
        locate::line_of(&self.doc.text, ptr)
    }

    /// Records a warning; lines are filled in later, for the first few only (see `generate`).
    fn diag(&mut self, code: &'static str, ptr: &str, message: String) {
        let line = None;
        self.diags.push(Diagnostic {
            severity: Severity::Warning,
            code,
            pointer: ptr.to_string(),
            line,
            message,
        });
    }

    /// Reserves configured names so generated names never take them.
    ///
    /// Then reserves the names of component schemas that become named types, in sorted order,
    /// so a component's name never depends on which inline schemas the walk meets first.
    fn meta_component_names(&mut self) {
        for (key, name) in &self.cfg.types {
            let ptr = if key.starts_with('/') || key.starts_with("#/") {
                key.trim_start_matches('#').to_string()
            } else {
                join("/components/schemas", key)
            };
            self.own(name, &ptr);
        }
        for name in STD_TYPE_NAMES {
            self.owners.entry(name.to_string()).or_insert_with(|| STD_OWNER.to_string());
        }
        let Some(schemas) = self.raw().pointer("/components/schemas").and_then(Value::as_object) else {
            return;
        };
        let mut keys: Vec<&String> = schemas.keys().collect();
        keys.sort();
        for key in keys {
            let ptr = join("/components/schemas", key);
            if self.configured_name(&ptr).is_some() {
                continue;
            }
            let Some(schema) = schemas.get(key).and_then(Value::as_object) else { continue };
            if !becomes_named_type(schema) {
                continue;
            }
            let hint = camel(key);
            if self.owners.get(&hint).is_some_and(|o| o == STD_OWNER) {
                self.diag(
                    "std-type-name",
                    &ptr,
                    format!("a type named `{hint}` would hide Rust's own `{hint}`, which the generated code uses; it gets a numbered name; pin one in the config's `types:` to choose"),
                );
            } else if let Some(owner) = self.owners.get(&hint).cloned() {
                self.diag(
                    "type-name-collision",
                    &ptr,
                    format!("component `{key}` and `#{owner}` both want the Rust name `{hint}`; pin one in the config's `types:` to keep names stable"),
                );
            }
            self.claim(&hint, &ptr);
        }
    }

    /// The configured name for a schema pointer, if any.
    fn configured_name(&self, ptr: &str) -> Option<String> {
        if let Some(n) = self.cfg.types.get(ptr).or_else(|| self.cfg.types.get(&format!("#{ptr}"))) {
            return Some(n.clone());
        }
        let rest = ptr.strip_prefix("/components/schemas/")?;
        if rest.contains('/') {
            return None;
        }
        self.cfg.types.get(&locate::unescape_token(rest)).cloned()
    }

    /// Claims a unique Rust type name for `ptr`, starting from `hint`.
    fn claim(&mut self, hint: &str, ptr: &str) -> String {
        // Derived names join parts (`Self_` + `Item`); only configured names keep inner `_`.
        let tidy;
        let hint = if hint.trim_end_matches('_').contains('_') && !self.cfg.types.values().any(|v| v == hint) {
            tidy = crate::naming::camel(&hint.replace('_', ""));
            tidy.as_str()
        } else {
            hint
        };
        if let Some(owner) = self.owners.get(hint) {
            let is_component = |p: &str| p.strip_prefix("/components/schemas/").is_some_and(|r| !r.contains('/'));
            if owner != ptr && owner != STD_OWNER && is_component(owner) && !is_component(ptr) && !ptr.contains('#') {
                let message = format!("the Rust name `{hint}` belongs to `#{owner}`, so this schema gets a numbered name; pin one in the config's `types:` to choose");
                self.diag("type-name-collision", ptr, message);
            }
        }
        let taken = |b: &Self, name: &str| b.owners.get(name).is_some_and(|owner| owner != ptr);
        if !taken(self, hint) {
            self.own(hint, ptr);
            return hint.to_string();
        }
        // The first numbered name that is free or already this schema's. Names are tried from
        // where the last search for this hint stopped (every name before it is owned), so a
        // thousand schemas wanting one name cost linear, not quadratic, time.
        let start = self.next_number.get(hint).copied().unwrap_or(2);
        let mut n = start;
        while taken(self, &format!("{hint}{n}")) {
            n += 1;
        }
        let mine = self
            .owned_by
            .get(ptr)
            .into_iter()
            .flatten()
            .filter_map(|name| name.strip_prefix(hint)?.parse::<usize>().ok().filter(|k| *k >= 2 && format!("{hint}{k}") == *name))
            .min();
        let n = match mine {
            Some(k) if k < n => k,
            _ => {
                self.next_number.insert(hint.to_string(), n + 1);
                n
            }
        };
        let candidate = format!("{hint}{n}");
        self.own(&candidate, ptr);
        candidate
    }

    /// Records that `name` belongs to the schema (or operation) at `ptr`.
    fn own(&mut self, name: &str, ptr: &str) {
        if let Some(previous) = self.owners.insert(name.to_string(), ptr.to_string()) {
            if let Some(names) = self.owned_by.get_mut(&previous) {
                names.retain(|n| n != name);
            }
        }
        self.owned_by.entry(ptr.to_string()).or_default().push(name.to_string());
    }

    /// Gives `name` up; numbered searches that passed it start from it again.
    fn disown(&mut self, name: &str) {
        let Some(ptr) = self.owners.remove(name) else { return };
        if let Some(names) = self.owned_by.get_mut(&ptr) {
            names.retain(|n| n != name);
        }
        let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count();
        for split in name.len() - digits..name.len() {
            if let (Some(next), Ok(k)) = (self.next_number.get_mut(&name[..split]), name[split..].parse::<usize>()) {
                *next = (*next).min(k.max(2));
            }
        }
    }

    /// The error for a schema at `ptr` beyond [`MAX_SCHEMA_DEPTH`].
    fn too_deep(&self, ptr: &str, what: &'static str) -> BuildError {
        BuildError::TooDeep {
            file: self.doc.name.clone(),
            line: self.line(ptr).unwrap_or(1),
            pointer: ptr.to_string(),
            what,
            limit: MAX_SCHEMA_DEPTH,
        }
    }

    /// Resolves a local `$ref` to a pointer, or fails naming where it is.
    fn ref_target(&self, at: &str, reference: &str) -> Result<String, BuildError> {
        let file = self.doc.name.clone();
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(BuildError::ExternalRef {
                file,
                line: self.line(at).unwrap_or(1),
                pointer: at.to_string(),
                reference: reference.to_string(),
            });
        };
        let target = percent_decode(fragment);
        if locate::get(self.raw(), &target).is_none() {
            return Err(BuildError::MissingRef {
                file,
                line: self.line(at).unwrap_or(1),
                pointer: at.to_string(),
                reference: reference.to_string(),
            });
        }
        Ok(target)
    }

    /// Follows `$ref`s from `ptr` to a node that is not a reference, collecting keywords found
    /// beside each `$ref` on the way.
    fn deref(&self, ptr: &str) -> Result<(String, Meta), BuildError> {
        let mut meta = Meta::default();
        let mut current = ptr.to_string();
        let mut seen: Vec<String> = Vec::new();
        loop {
            let node = locate::get(self.raw(), &current);
            let Some(Value::Object(map)) = node else {
                return Ok((current, meta));
            };
            meta.absorb(map);
            let Some(reference) = map.get("$ref").and_then(Value::as_str) else {
                return Ok((current, meta));
            };
            let at = join(&current, "$ref");
            let target = self.ref_target(&at, reference)?;
            if seen.contains(&target) || target == current {
                seen.push(current.clone());
                seen.push(target.clone());
                let start = seen.iter().position(|s| *s == target).unwrap_or(0);
                return Err(BuildError::RefCycle {
                    file: self.doc.name.clone(),
                    line: self.line(&target).unwrap_or(1),
                    cycle: seen[start..]
                        .iter()
                        .map(|p| format!("#{p}"))
                        .collect::<Vec<_>>()
                        .join(" → "),
                });
            }
            if seen.len() >= MAX_SCHEMA_DEPTH {
                return Err(self.too_deep(&at, "more `$ref`s in a row than the limit before a schema is reached"));
            }
            seen.push(current);
            current = target;
        }
    }

    fn object(&self, ptr: &str) -> Option<&'a Map<String, Value>> {
        locate::get(self.raw(), ptr).and_then(Value::as_object)
    }

    /// The Rust type for the schema at `ptr`; `hint` names it if it needs a name.
    fn ty_of(&mut self, ptr: &str, hint: &str) -> Result<(Ty, Meta), BuildError> {
        let (target, meta) = self.deref(ptr)?;
        let hint = match self.configured_name(&target) {
            Some(n) => n,
            None => match target.strip_prefix("/components/schemas/") {
                Some(rest) if !rest.contains('/') => camel(&locate::unescape_token(rest)),
                _ => hint.to_string(),
            },
        };
        let ty = self.shape(&target, &hint)?;
        Ok((ty, meta))
    }

    fn shape(&mut self, ptr: &str, hint: &str) -> Result<Ty, BuildError> {
        if let Some(name) = self.named.get(ptr) {
            return Ok(Ty::Named(name.clone()));
        }
        if self.in_progress.iter().any(|p| p == ptr) {
            self.diag(
                "recursive-alias",
                ptr,
                "this schema contains itself only through arrays, maps or a lone `allOf`, with no object in between; the inner occurrence is untyped JSON (serde_json::Value)".into(),
            );
            return Ok(Ty::Json);
        }
        // Each level is a few stack frames; a document could otherwise nest thousands deep
        // through `$ref`s and overflow the stack.
        if self.in_progress.len() >= MAX_SCHEMA_DEPTH {
            return Err(self.too_deep(ptr, "schemas inside schemas (properties, items, allOf/oneOf/anyOf parts) deeper than the limit, counted through `$ref`s"));
        }
        self.in_progress.push(ptr.to_string());
        let result = self.shape_inner(ptr, hint);
        self.in_progress.pop();
        result
    }

    fn shape_inner(&mut self, ptr: &str, hint: &str) -> Result<Ty, BuildError> {
        let Some(schema) = self.object(ptr) else {
            // `true`, `{}`-less or malformed nodes: anything goes.
            return Ok(Ty::Json);
        };
        let ty_str = schema.get("type").and_then(Value::as_str);
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            let has_props = schema.get("properties").is_some();
            if parts.len() == 1 && !has_props {
                let (ty, _) = self.ty_of(&format!("{ptr}/allOf/0"), hint)?;
                return Ok(ty);
            }
            return self.struct_type(ptr, hint);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(parts)) = schema.get(key) {
                if !parts.is_empty() {
                    return self.union_type(ptr, key, hint);
                }
            }
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            let strings = values.iter().filter(|v| !v.is_null()).all(Value::is_string);
            if strings && values.iter().any(Value::is_string) && matches!(ty_str, None | Some("string")) {
                return Ok(self.enum_type(ptr, hint, values));
            }
        }
        let ty = match ty_str {
            Some("string") => Ty::String,
            Some("integer") => match schema.get("format").and_then(Value::as_str) {
                Some("int32") => Ty::I32,
                _ => Ty::I64,
            },
            Some("number") => match schema.get("format").and_then(Value::as_str) {
                Some("float") => Ty::F32,
                _ => Ty::F64,
            },
            Some("boolean") => Ty::Bool,
            Some("array") => self.array_item(ptr, &format!("{hint}Item"))?,
            Some("object") | None => {
                if has_properties(schema) {
                    return self.struct_type(ptr, hint);
                }
                if ty_str.is_none() && schema.get("items").is_some() {
                    return self.array_item(ptr, &format!("{hint}Item"));
                }
                match schema.get("additionalProperties") {
                    Some(Value::Object(extra)) if !extra.is_empty() => {
                        let (inner, meta) =
                            self.ty_of(&join(ptr, "additionalProperties"), &format!("{hint}Value"))?;
                        Ty::Map(Box::new(wrap_nullable(inner, meta.nullable)))
                    }
                    _ => Ty::Json,
                }
            }
            Some(other) => {
                self.diag(
                    "unknown-type",
                    &join(ptr, "type"),
                    format!("unknown schema type `{other}`; generated as untyped JSON (serde_json::Value)"),
                );
                Ty::Json
            }
        };
        Ok(ty)
    }

    fn array_item(&mut self, ptr: &str, item_hint: &str) -> Result<Ty, BuildError> {
        let items = join(ptr, "items");
        if locate::get(self.raw(), &items).is_none() {
            return Ok(Ty::Vec(Box::new(Ty::Json)));
        }
        let (inner, meta) = self.ty_of(&items, item_hint)?;
        Ok(Ty::Vec(Box::new(wrap_nullable(inner, meta.nullable))))
    }

    /// Registers the name for a new named type before its body is built, so recursion ends.
    fn begin_named(&mut self, ptr: &str, hint: &str) -> String {
        let name = self.claim(hint, ptr);
        self.named.insert(ptr.to_string(), name.clone());
        name
    }

    fn finish_named(&mut self, name: String, ptr: &str, kind: TypeKind) {
        let mut meta = Meta::default();
        if let Some(node) = self.object(ptr) {
            meta.absorb(node);
        }
        let docs = meta
            .description
            .or_else(|| Some(format!("Generated from `#{ptr}`.")));
        self.types.insert(
            name.clone(),
            TypeDef {
                name,
                docs,
                deprecated: meta.deprecated,
                kind,
            },
        );
    }

    /// Properties of an object schema, with `allOf` parts merged in order.
    fn collect_props(
        &self,
        ptr: &str,
        props: &mut Vec<(String, String)>,
        required: &mut BTreeSet<String>,
        extra: &mut Option<String>,
        depth: usize,
    ) -> Result<(), BuildError> {
        let mut merge = Merge {
            seen: std::collections::HashSet::new(),
            index: props.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect(),
        };
        self.collect_props_from(ptr, props, required, extra, depth, &mut merge)
    }

    /// Each schema is merged once per collection, so `allOf` parts that refer to each other
    /// (or repeat) cost linear, not exponential, work.
    fn collect_props_from(
        &self,
        ptr: &str,
        props: &mut Vec<(String, String)>,
        required: &mut BTreeSet<String>,
        extra: &mut Option<String>,
        depth: usize,
        merge: &mut Merge,
    ) -> Result<(), BuildError> {
        if depth >= MAX_SCHEMA_DEPTH {
            return Err(self.too_deep(ptr, "`allOf` parts inside `allOf` parts deeper than the limit"));
        }
        let (target, _) = self.deref(ptr)?;
        if !merge.seen.insert(target.clone()) {
            return Ok(());
        }
        let Some(schema) = self.object(&target) else {
            return Ok(());
        };
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            for i in 0..parts.len() {
                self.collect_props_from(&format!("{target}/allOf/{i}"), props, required, extra, depth + 1, merge)?;
            }
        }
        if let Some(Value::Object(map)) = schema.get("properties") {
            let base = join(&target, "properties");
            for key in map.keys() {
                let p = join(&base, key);
                match merge.index.get(key) {
                    Some(&i) => props[i].1 = p,
                    None => {
                        merge.index.insert(key.clone(), props.len());
                        props.push((key.clone(), p));
                    }
                }
            }
        }
        if let Some(Value::Array(req)) = schema.get("required") {
            required.extend(req.iter().filter_map(Value::as_str).map(str::to_string));
        }
        if let Some(Value::Object(e)) = schema.get("additionalProperties") {
            if !e.is_empty() {
                *extra = Some(join(&target, "additionalProperties"));
            }
        }
        Ok(())
    }

    fn struct_type(&mut self, ptr: &str, hint: &str) -> Result<Ty, BuildError> {
        let name = self.begin_named(ptr, hint);
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        let mut extra = None;
        self.collect_props(ptr, &mut props, &mut required, &mut extra, 0)?;
        let mut fields = Vec::new();
        let mut used = BTreeSet::new();
        for (json_name, prop_ptr) in props {
            let field = self.field(&name, &json_name, &prop_ptr, required.contains(&json_name), &mut used, FieldLocation::Body)?;
            fields.push(field);
        }
        let extra = match extra {
            Some(p) => {
                let (t, _) = self.ty_of(&p, &format!("{name}Value"))?;
                Some(t)
            }
            None => None,
        };
        self.finish_named(name.clone(), ptr, TypeKind::Struct(Struct { fields, extra, usage: Usage::Model }));
        Ok(Ty::Named(name))
    }

    fn field(
        &mut self,
        owner: &str,
        json_name: &str,
        ptr: &str,
        required: bool,
        used: &mut BTreeSet<String>,
        location: FieldLocation,
    ) -> Result<Field, BuildError> {
        let (ty, meta) = self.ty_of(ptr, &format!("{owner}{}", camel(json_name)))?;
        let mut rust_name = snake(json_name);
        let base = rust_name.clone();
        let mut n = 2;
        while !used.insert(rust_name.clone()) {
            rust_name = numbered(&base, n);
            n += 1;
        }
        Ok(Field {
            rust_name,
            json_name: json_name.to_string(),
            ty,
            required: required && !meta.nullable,
            nullable: meta.nullable,
            boxed: false,
            docs: meta.description,
            deprecated: meta.deprecated,
            read_only: meta.read_only,
            write_only: meta.write_only,
            default: meta.default,
            location,
        })
    }

    fn enum_type(&mut self, ptr: &str, hint: &str, values: &[Value]) -> Ty {
        let name = self.begin_named(ptr, hint);
        let mut seen = std::collections::HashSet::new();
        let mut unique: Vec<&str> = Vec::new();
        for v in values.iter().filter_map(Value::as_str) {
            // The runtime's enum macro prints each value in the variant's docs, where a line
            // break could start a code block; such a value still reads and writes as `Other`.
            if v.chars().any(crate::escape::is_hidden) {
                let shown = crate::escape::rust_str(v);
                self.diag("enum-value-unprintable", &join(ptr, "enum"), format!("the value {shown} holds line breaks or control characters, so it gets no variant and is kept in `Other`"));
                continue;
            }
            if seen.insert(v) {
                unique.push(v);
            }
        }
        let names = variant_names(&unique);
        let variants = unique
            .iter()
            .zip(names)
            .map(|(v, rust_name)| EnumVariant {
                rust_name,
                value: v.to_string(),
                docs: None,
            })
            .collect();
        self.finish_named(name.clone(), ptr, TypeKind::Enum { variants });
        Ty::Named(name)
    }

    fn union_type(&mut self, ptr: &str, key: &str, hint: &str) -> Result<Ty, BuildError> {
        let name = self.begin_named(ptr, hint);
        let count = self
            .object(ptr)
            .and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let discriminator = self
            .object(ptr)
            .and_then(|s| s.get("discriminator"))
            .and_then(Value::as_object);
        let tag_prop = discriminator
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_string);
        // Explicit mapping: value → target pointer.
        let mapping: Vec<(String, String)> = discriminator
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), percent_decode(v.as_str()?.strip_prefix('#')?))))
                    .collect()
            })
            .unwrap_or_default();
        let mut all_tagged = tag_prop.is_some();
        let mut variants: Vec<UnionVariant> = Vec::new();
        let mut distinct = std::collections::HashSet::new();
        let mut used = BTreeSet::new();
        for i in 0..count {
            let part = format!("{ptr}/{key}/{i}");
            let tag_value = match &tag_prop {
                Some(prop) => {
                    let (target, _) = self.deref(&part)?;
                    self.tag_value(&target, prop, &mapping)
                }
                None => None,
            };
            let (ty, meta) = self.ty_of(&part, &format!("{name}Variant{i}"))?;
            // A type generated from a schema (its name's owner was shaped under that name).
            let from_schema = |n: &String| self.owners.get(n).is_some_and(|p| self.named.get(p) == Some(n));
            let is_struct = matches!(&ty, Ty::Named(n) if from_schema(n) && !matches!(self.types.get(n).map(|t| &t.kind), Some(TypeKind::Enum { .. } | TypeKind::Union(_) | TypeKind::Alias(_))));
            if tag_value.is_none() || !is_struct {
                all_tagged = false;
            }
            let ty = wrap_nullable(ty, meta.nullable);
            if !distinct.insert(ty.clone()) {
                continue;
            }
            let base = variant_name(&ty, i);
            let mut rust_name = base.clone();
            let mut n = 2;
            while !used.insert(rust_name.clone()) {
                rust_name = format!("{base}{n}");
                n += 1;
            }
            variants.push(UnionVariant {
                rust_name,
                tag_value,
                ty,
                boxed: false,
            });
        }
        let mut values = BTreeSet::new();
        all_tagged &= !variants.is_empty() && variants.iter().all(|v| v.tag_value.as_ref().is_some_and(|t| values.insert(t.clone())));
        let tag = if all_tagged {
            tag_prop
        } else {
            if tag_prop.is_some() {
                self.diag(
                    "untagged-discriminator",
                    &join(ptr, "discriminator"),
                    "the discriminator does not select every variant by a distinct value; generated as an untagged enum (variants tried in order)".into(),
                );
            }
            for v in &mut variants {
                v.tag_value = None;
            }
            None
        };
        self.finish_named(name.clone(), ptr, TypeKind::Union(Union { tag, variants }));
        Ok(Ty::Named(name))
    }

    /// The discriminator value that selects the schema at `target`: from the mapping, else from
    /// a one-value enum on the tag property, else the component name.
    fn tag_value(&self, target: &str, prop: &str, mapping: &[(String, String)]) -> Option<String> {
        if let Some((value, _)) = mapping.iter().find(|(_, t)| t == target) {
            return Some(value.clone());
        }
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        let mut extra = None;
        self.collect_props(target, &mut props, &mut required, &mut extra, 0).ok()?;
        let prop_ptr = props.iter().find(|(k, _)| k == prop).map(|(_, p)| p.clone())?;
        let (prop_target, _) = self.deref(&prop_ptr).ok()?;
        if let Some(Value::Array(values)) = self.object(&prop_target).and_then(|s| s.get("enum")) {
            if let [Value::String(only)] = values.as_slice() {
                return Some(only.clone());
            }
        }
        match target.strip_prefix("/components/schemas/") {
            Some(rest) if !rest.contains('/') && mapping.is_empty() => Some(locate::unescape_token(rest)),
            _ => None,
        }
    }

    /// Adds `pub type alias = target;` unless the name is taken; returns the name to use.
    fn alias(&mut self, alias: &str, target: Ty, owner_ptr: &str) -> Ty {
        if let Ty::Named(n) = &target {
            if n == alias {
                return target;
            }
        }
        match self.owners.get(alias) {
            Some(owner) if owner != owner_ptr => return target,
            _ => {}
        }
        if self.types.contains_key(alias) {
            return target;
        }
        self.own(alias, owner_ptr);
        self.types.insert(
            alias.to_string(),
            TypeDef {
                name: alias.to_string(),
                docs: None,
                deprecated: false,
                kind: TypeKind::Alias(target),
            },
        );
        Ty::Named(alias.to_string())
    }

    fn operations(&mut self) -> Result<Resource, BuildError> {
        let mut root = Resource::default();
        let Some(paths) = self.raw().get("paths").and_then(Value::as_object) else {
            return Ok(root);
        };
        let mut ops: Vec<PathOp<'a>> = Vec::new();
        let mut sorted_paths: Vec<&String> = paths.keys().collect();
        sorted_paths.sort();
        for path in sorted_paths {
            let local = join("/paths", path);
            let Some(item) = self.object(&local) else {
                continue;
            };
            // A path item may be a `$ref` (to a reusable item or to another path's): followed
            // like a schema `$ref`, with operations written beside it taking precedence.
            let mut items = vec![local.clone()];
            if item.contains_key("$ref") {
                let (target, _) = self.deref(&local)?;
                items.insert(0, target);
            }
            for m in METHODS {
                let found = items.iter().rev().find(|i| self.object(i).and_then(|o| o.get(m)).is_some_and(Value::is_object));
                if let Some(item_ptr) = found {
                    ops.push(PathOp { path, method: m, op_ptr: join(item_ptr, m), items: items.clone() });
                }
            }
        }
        let mut id_count: HashMap<String, usize> = HashMap::new();
        for op in &ops {
            if let Some(id) = self.object(&op.op_ptr).and_then(|o| o.get("operationId")).and_then(Value::as_str) {
                *id_count.entry(id.to_string()).or_default() += 1;
            }
        }
        for op in &ops {
            self.operation(&mut root, op, &id_count)?;
        }
        Ok(root)
    }

    fn selected(&self, path: &str, op: &Map<String, Value>) -> bool {
        let sel = &self.cfg.select;
        if sel.is_all() {
            return true;
        }
        let id = op.get("operationId").and_then(Value::as_str);
        let tags: Vec<&str> = op
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        id.is_some_and(|id| sel.operation_ids.iter().any(|s| s == id))
            || sel.path_prefixes.iter().any(|p| path.starts_with(p.as_str()))
            || sel.tags.iter().any(|t| tags.contains(&t.as_str()))
    }

    fn operation(&mut self, root: &mut Resource, path_op: &PathOp<'a>, id_count: &HashMap<String, usize>) -> Result<(), BuildError> {
        let (path, method, op_ptr) = (path_op.path, path_op.method, path_op.op_ptr.clone());
        let Some(op) = self.object(&op_ptr) else {
            return Ok(());
        };
        if !self.selected(path, op) {
            return Ok(());
        }
        let operation_id = op.get("operationId").and_then(Value::as_str).map(str::to_string);
        let key = operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
        let oc: OperationConfig = self
            .cfg
            .operations
            .get(&key)
            .cloned()
            .unwrap_or_default();
        let duplicate_id = operation_id
            .as_ref()
            .is_some_and(|id| id_count.get(id).copied().unwrap_or(0) > 1);
        if duplicate_id {
            self.diag(
                "duplicate-operation-id",
                &join(&op_ptr, "operationId"),
                format!("operationId `{key}` is used by more than one operation; each is generated, under a distinct method name"),
            );
        }

        // Where in the resource tree, and under which method name.
        let segments: Vec<String> = match (&oc.resource, op.get("x-fern-sdk-group-name").and_then(Value::as_str)) {
            (Some(r), _) => r.split('.').map(snake).collect(),
            (None, Some(g)) => g.split('.').map(snake).collect(),
            (None, None) => vec![op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .map(snake)
                .unwrap_or_else(|| "default".into())],
        };
        let mut segments: Vec<String> = segments.into_iter().filter(|s| !s.is_empty()).collect();
        for (i, seg) in segments.iter_mut().enumerate() {
            let capped = crate::naming::cap_module(seg);
            // A top-level accessor is a method of `Client`; a module named like a crate the
            // generated code uses would hide that crate in its parent module.
            let taken = (i == 0 && (CLIENT_METHODS.contains(&capped.as_str()) || CLIENT_TRAIT_METHODS.contains(&capped.as_str())))
                || SHADOWED_CRATES.contains(&capped.as_str());
            let renamed = if taken { format!("{capped}_") } else { capped };
            if renamed != *seg {
                let message = if taken {
                    let clash = if SHADOWED_CRATES.contains(&seg.as_str()) { format!("the crate `{seg}`") } else { format!("`Client::{seg}`") };
                    format!("resource `{seg}` would clash with {clash}; it is generated as `{renamed}`; set the operation's `resource` in the config to choose")
                } else {
                    format!("resource name `{seg}` is longer than {} bytes; it is generated as `{renamed}`", crate::naming::MAX_MODULE_NAME)
                };
                let code = if taken { "reserved-resource-name" } else { "long-resource-name" };
                self.diag(code, &op_ptr, message);
                *seg = renamed;
            }
        }
        let fern_method = op.get("x-fern-sdk-method-name").and_then(Value::as_str);
        let mut method_name = match (&oc.method, fern_method, &operation_id) {
            (Some(m), _, _) => snake(m),
            (None, Some(m), _) if !duplicate_id => snake(m),
            (None, _, Some(id)) => snake(id),
            _ => snake(&format!("{method} {}", path.replace(['{', '}'], ""))),
        };
        let last = segments.last().cloned().unwrap_or_else(|| "api".into());
        let base = format!("{}{}", camel(&singular(&last)).trim_end_matches('_'), camel(&method_name).trim_end_matches('_'));

        // Parameters: path-item level first, then operation level overriding by (name, in).
        let mut params: Vec<(String, String, String)> = Vec::new(); // (name, in, ptr)
        let scopes = path_op.items.iter().map(|i| (self.object(i), i.clone())).chain([(Some(op), op_ptr.clone())]);
        for (scope, scope_ptr) in scopes.collect::<Vec<_>>() {
            let Some(list) = scope.and_then(|s| s.get("parameters")).and_then(Value::as_array) else {
                continue;
            };
            for i in 0..list.len() {
                let p_ptr = format!("{scope_ptr}/parameters/{i}");
                let (target, _) = self.deref(&p_ptr)?;
                let Some(p) = self.object(&target) else { continue };
                let name = p.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                let loc = p.get("in").and_then(Value::as_str).unwrap_or("").to_string();
                params.retain(|(n, l, _)| !(n == &name && l == &loc));
                params.push((name, loc, target));
            }
        }

        let params_name = oc.params.clone().unwrap_or_else(|| format!("{base}Params"));
        let response_name = oc.response.clone().unwrap_or_else(|| format!("{base}Response"));
        let params_ptr = format!("{op_ptr}#params");
        let params_name = self.claim(&params_name, &params_ptr);

        let mut path_params = Vec::new();
        let mut fields = Vec::new();
        let mut used = BTreeSet::new();
        // Path parameters in the order the template names them.
        let mut order: Vec<&str> = Vec::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let Some(end) = rest[start..].find('}') else { break };
            order.push(&rest[start + 1..start + end]);
            rest = &rest[start + end + 1..];
        }
        for name in &order {
            let found = params.iter().find(|(n, l, _)| n == name && l == "path");
            let (ty, docs) = match found {
                Some((_, _, p_ptr)) => {
                    let (ty, meta) = self.ty_of(&join(p_ptr, "schema"), &format!("{base}{}", camel(name)))?;
                    let docs = self
                        .object(p_ptr)
                        .and_then(|p| p.get("description"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or(meta.description);
                    (ty, docs)
                }
                None => {
                    self.diag("undeclared-path-parameter", &op_ptr, format!("path parameter `{name}` is not declared; taken as a string"));
                    (Ty::String, None)
                }
            };
            let mut rust_name = snake(name);
            let b = rust_name.clone();
            let mut n = 2;
            while !used.insert(rust_name.clone()) {
                rust_name = numbered(&b, n);
                n += 1;
            }
            path_params.push(PathParam {
                rust_name,
                json_name: name.to_string(),
                ty,
                docs,
            });
        }
        let mut names_in_query = BTreeSet::new();
        for (name, loc, p_ptr) in &params {
            let location = match loc.as_str() {
                "path" => continue,
                "query" => FieldLocation::Query,
                "header" => FieldLocation::Header,
                other => {
                    self.diag("unsupported-parameter", p_ptr, format!("parameters `in: {other}` are not supported; `{name}` is left out"));
                    continue;
                }
            };
            let required = self
                .object(p_ptr)
                .and_then(|p| p.get("required"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let mut field = self.field(&params_name, name, &join(p_ptr, "schema"), required, &mut used, location)?;
            if field.docs.is_none() {
                field.docs = self
                    .object(p_ptr)
                    .and_then(|p| p.get("description"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            names_in_query.insert(name.clone());
            fields.push(field);
        }

        // Request body: an object's properties join the params struct; anything else is `body`.
        let mut has_body = false;
        let mut body_field = None;
        if op.get("requestBody").is_some() {
            let (rb_ptr, _) = self.deref(&join(&op_ptr, "requestBody"))?;
            let rb = self.object(&rb_ptr);
            let body_required = rb.and_then(|r| r.get("required")).and_then(Value::as_bool).unwrap_or(false);
            match rb.and_then(|r| r.get("content")).and_then(Value::as_object).and_then(pick_json) {
                Some(media) => {
                    has_body = true;
                    let schema_ptr = join(&join(&join(&rb_ptr, "content"), &media), "schema");
                    let mut props = Vec::new();
                    let mut required = BTreeSet::new();
                    let mut extra = None;
                    let (target, _) = self.deref(&schema_ptr)?;
                    let is_object = self.object(&target).is_some_and(|s| {
                        has_properties(s) && s.get("oneOf").is_none() && s.get("anyOf").is_none()
                    });
                    if is_object {
                        self.collect_props(&schema_ptr, &mut props, &mut required, &mut extra, 0)?;
                    }
                    if is_object && extra.is_none() && !props.iter().any(|(k, _)| names_in_query.contains(k)) {
                        for (json_name, prop_ptr) in props {
                            let req = required.contains(&json_name);
                            fields.push(self.field(&params_name, &json_name, &prop_ptr, req, &mut used, FieldLocation::Body)?);
                        }
                    } else {
                        let mut f = self.field(&params_name, "body", &schema_ptr, body_required, &mut used, FieldLocation::Body)?;
                        f.docs = f.docs.or_else(|| Some("The request body.".into()));
                        body_field = Some(f.rust_name.clone());
                        fields.push(f);
                    }
                }
                None => {
                    let types: Vec<String> = rb
                        .and_then(|r| r.get("content"))
                        .and_then(Value::as_object)
                        .map(|c| c.keys().cloned().collect())
                        .unwrap_or_default();
                    self.diag(
                        "unsupported-body-content",
                        &join(&op_ptr, "requestBody"),
                        format!("request body content {types:?} has no JSON form; the method is generated without a body"),
                    );
                }
            }
        }
        let params_type = if fields.is_empty() {
            self.disown(&params_name);
            None
        } else {
            let usage = if has_body { Usage::ParamsWithBody } else { Usage::ParamsNoBody };
            self.types.insert(
                params_name.clone(),
                TypeDef {
                    name: params_name.clone(),
                    docs: Some(format!("Parameters of [`{}`]({}).", method_name, "#method")),
                    deprecated: false,
                    kind: TypeKind::Struct(Struct { fields, extra: None, usage }),
                },
            );
            Some(params_name)
        };

        // Response: the lowest 2xx with a JSON body; Cloudflare envelopes are unwrapped.
        let (response, pagination) = self.response(&op_ptr, op, &response_name, params_type.as_deref(), &oc)?;

        // Place it in the tree.
        let mut node = &mut *root;
        for seg in &segments {
            node = node.children.entry(seg.clone()).or_insert_with(|| Resource {
                name: seg.clone(),
                struct_name: match camel(seg) {
                    s if STD_TYPE_NAMES.contains(&s.as_str()) => format!("{s}Resource"),
                    s => s,
                },
                ..Resource::default()
            });
        }
        if node.operations.contains_key(&method_name) || node.children.contains_key(&method_name) {
            let base_name = method_name.clone();
            // Names on a resource are only ever added, so the search for a free number goes on
            // from where the last one for this name stopped.
            let key = (segments.join("."), base_name.clone());
            let mut n = self.next_method_number.get(&key).copied().unwrap_or(2);
            while node.operations.contains_key(&method_name) || node.children.contains_key(&method_name) {
                method_name = numbered(&base_name, n);
                n += 1;
            }
            self.next_method_number.insert(key, n);
            self.diags.push(Diagnostic {
                severity: Severity::Warning,
                code: "duplicate-method-name",
                pointer: op_ptr.clone(),
                line: None,
                message: format!("method `{base_name}` already exists on resource `{}`; this operation is generated as `{method_name}`", segments.join(".")),
            });
        }
        // Parameter docs point at the method.
        if let Some(p) = &params_type {
            if let Some(t) = self.types.get_mut(p) {
                t.docs = Some(format!(
                    "Parameters of `{}().{method_name}()` ({}).",
                    segments.join("()."),
                    crate::escape::md_code(&format!("{} {path}", method.to_uppercase()))
                ));
            }
        }
        let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_string);
        node.operations.insert(
            method_name.clone(),
            Operation {
                method_name,
                operation_id,
                http_method: method.to_uppercase(),
                path: path.to_string(),
                summary: text("summary"),
                description: text("description"),
                deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
                path_params,
                params: params_type,
                body_field,
                has_body,
                response,
                pagination,
            },
        );
        Ok(())
    }

    fn response(
        &mut self,
        op_ptr: &str,
        op: &Map<String, Value>,
        response_name: &str,
        params: Option<&str>,
        oc: &OperationConfig,
    ) -> Result<(Response, Option<Pagination>), BuildError> {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return Ok((Response::Empty, None));
        };
        let mut codes: Vec<&String> = responses
            .keys()
            .filter(|k| k.starts_with('2'))
            .collect();
        codes.sort();
        let code = codes.first().map(|s| s.as_str()).or_else(|| responses.contains_key("default").then_some("default"));
        let Some(code) = code else {
            return Ok((Response::Empty, None));
        };
        let resp_ptr = join(&join(op_ptr, "responses"), code);
        let (resp_ptr, _) = self.deref(&resp_ptr)?;
        let content = self.object(&resp_ptr).and_then(|r| r.get("content")).and_then(Value::as_object);
        let Some(media) = content.and_then(pick_json) else {
            if let Some(c) = content.filter(|c| !c.is_empty()) {
                let types: Vec<&String> = c.keys().collect();
                self.diag(
                    "unsupported-response-content",
                    &join(&resp_ptr, "content"),
                    format!("response content {types:?} has no JSON form; the method returns `()` (the raw body is not decoded)"),
                );
            }
            return Ok((Response::Empty, None));
        };
        let schema_ptr = join(&join(&join(&resp_ptr, "content"), &media), "schema");
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        let mut extra = None;
        self.collect_props(&schema_ptr, &mut props, &mut required, &mut extra, 0)?;
        let has = |k: &str| props.iter().any(|(n, _)| n == k);
        let alias_owner = format!("{op_ptr}#response");
        if has("result") && has("success") && (has("errors") || has("messages")) {
            let result_ptr = props.iter().find(|(n, _)| n == "result").map(|(_, p)| p.clone()).unwrap_or_default();
            let (target, meta) = self.deref(&result_ptr)?;
            let is_array = self
                .object(&target)
                .is_some_and(|s| s.get("type").and_then(Value::as_str) == Some("array") || (s.get("items").is_some() && !has_properties(s)));
            if is_array {
                let items = join(&target, "items");
                let item = if locate::get(self.raw(), &items).is_some() {
                    let (t, _) = self.ty_of(&items, response_name)?;
                    t
                } else {
                    Ty::Json
                };
                let item = self.alias(response_name, item, &alias_owner);
                let wants_pages = oc.paginate.unwrap_or(true);
                let query_has = |n: &str| {
                    params.and_then(|p| self.types.get(p)).is_some_and(|t| match &t.kind {
                        TypeKind::Struct(s) => s.fields.iter().any(|f| f.json_name == n && f.location == FieldLocation::Query),
                        _ => false,
                    })
                };
                let pagination = (wants_pages && has("result_info") && query_has("page") && query_has("per_page"))
                    .then(|| Pagination {
                        page_param: "page".into(),
                        per_page_param: "per_page".into(),
                        item: item.clone(),
                    });
                return Ok((Response::Envelope(Ty::Vec(Box::new(item))), pagination));
            }
            let (ty, _) = self.ty_of(&result_ptr, response_name)?;
            let _ = meta;
            let ty = self.alias(response_name, ty, &alias_owner);
            return Ok((Response::Envelope(ty), None));
        }
        let (ty, _) = self.ty_of(&schema_ptr, response_name)?;
        let ty = self.alias(response_name, ty, &alias_owner);
        Ok((Response::Body(ty), None))
    }
}

/// `name_2`, or `self_2` for a name that already ends in `_`.
fn numbered(base: &str, n: usize) -> String {
    if base.ends_with('_') {
        format!("{base}{n}")
    } else {
        format!("{base}_{n}")
    }
}

/// Variant names for enum values, independent of their order: values whose names collide are
/// ranked (a value already in a Rust-like case first, snake_case before other cases, then by the
/// value itself) and all but the
/// first get a numeric suffix. So adding `on-hold` beside `on_hold` never renames `OnHold`.
fn variant_names(values: &[&str]) -> Vec<String> {
    use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
    let base = |v: &str| if v.is_empty() { "Empty".to_string() } else { camel(v) };
    let round_trips = |v: &str| v == v.to_snake_case() || v == v.to_upper_camel_case() || v == v.to_shouty_snake_case();
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for v in values {
        groups.entry(base(v)).or_default().push(v);
    }
    let mut assigned: BTreeMap<&str, String> = BTreeMap::new();
    let mut used: BTreeSet<String> = groups.keys().cloned().collect();
    used.insert("Other".into());
    for (name, mut members) in groups {
        members.sort_by_key(|v| (!round_trips(v), *v != v.to_snake_case(), v.to_string()));
        let mut n = 2;
        for (i, v) in members.into_iter().enumerate() {
            if i == 0 && name != "Other" {
                assigned.insert(v, name.clone());
                continue;
            }
            let mut candidate = format!("{name}{n}");
            while used.contains(&candidate) {
                n += 1;
                candidate = format!("{name}{n}");
            }
            used.insert(candidate.clone());
            assigned.insert(v, candidate);
            n += 1;
        }
    }
    values.iter().map(|v| assigned[v].clone()).collect()
}

/// True when a schema is generated as a named type (struct, enum or union), not inlined.
fn becomes_named_type(schema: &Map<String, Value>) -> bool {
    let string_enum = schema.get("enum").and_then(Value::as_array).is_some_and(|v| v.iter().any(Value::is_string))
        && matches!(schema.get("type").and_then(Value::as_str), None | Some("string"));
    let lone_all_of = schema.get("allOf").and_then(Value::as_array).is_some_and(|a| a.len() == 1)
        && schema.get("properties").is_none();
    (has_properties(schema) && !lone_all_of)
        || string_enum
        || ["oneOf", "anyOf"].iter().any(|k| schema.get(*k).and_then(Value::as_array).is_some_and(|a| !a.is_empty()))
}

fn has_properties(schema: &Map<String, Value>) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
        || schema.get("allOf").is_some()
}

fn wrap_nullable(ty: Ty, nullable: bool) -> Ty {
    if nullable && !matches!(ty, Ty::Json | Ty::Option(_)) {
        Ty::Option(Box::new(ty))
    } else {
        ty
    }
}

/// The JSON media type of a content map, preferring `application/json`.
fn pick_json(content: &Map<String, Value>) -> Option<String> {
    if content.contains_key("application/json") {
        return Some("application/json".into());
    }
    let mut keys: Vec<&String> = content.keys().filter(|k| k.contains("json")).collect();
    keys.sort();
    keys.first().map(|k| k.to_string())
}

fn variant_name(ty: &Ty, index: usize) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Bool => "Bool".into(),
        Ty::I32 | Ty::I64 => "Integer".into(),
        Ty::F32 | Ty::F64 => "Number".into(),
        Ty::Json => "Json".into(),
        Ty::Named(n) => n.clone(),
        Ty::Vec(inner) => format!("{}List", variant_name(inner, index)),
        Ty::Map(inner) => format!("{}Map", variant_name(inner, index)),
        Ty::Option(inner) => variant_name(inner, index),
        Ty::Unit => format!("Variant{index}"),
    }
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Boxes struct fields that would otherwise make a type contain itself.
fn box_cycles(types: &mut BTreeMap<String, TypeDef>) {
    // Direct (unboxed) edges: a struct field or union variant holding a named type by value.
    fn direct(ty: &Ty) -> Option<&str> {
        match ty {
            Ty::Named(n) => Some(n),
            Ty::Option(inner) => direct(inner),
            _ => None,
        }
    }
    let names: Vec<String> = types.keys().cloned().collect();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for (i, n) in names.iter().enumerate() {
        let tys: Vec<&Ty> = match &types[n].kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            TypeKind::Alias(t) => vec![t],
            TypeKind::Enum { .. } => vec![],
        };
        for t in tys {
            if let Some(j) = direct(t).and_then(|d| index.get(d)) {
                edges[i].push(*j);
            }
        }
    }
    let comp = scc(&edges);
    for (i, n) in names.iter().enumerate() {
        let t = types.get_mut(n).expect("name from keys");
        match &mut t.kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    if let Some(j) = direct(&f.ty).and_then(|d| index.get(d)) {
                        f.boxed = comp[*j] == comp[i];
                    }
                }
            }
            TypeKind::Union(u) => {
                for v in &mut u.variants {
                    if let Some(j) = direct(&v.ty).and_then(|d| index.get(d)) {
                        v.boxed = comp[*j] == comp[i];
                    }
                }
            }
            _ => {}
        }
    }
}

/// Strongly connected components (iterative Tarjan); returns a component id per node.
fn scc(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut ncomp = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(top) = work.len().checked_sub(1) {
            let (v, ei) = work[top];
            if ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if ei < edges[v].len() {
                work[top].1 += 1;
                let w = edges[v][ei];
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = ncomp;
                        if w == v {
                            break;
                        }
                    }
                    ncomp += 1;
                }
            }
        }
    }
    comp
}
