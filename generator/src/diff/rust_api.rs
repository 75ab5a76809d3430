//! Rust-API changes: both documents built into the generator's IR with the same configuration,
//! read as [`Surface`]s (the item list `api.md` prints), and compared item by item. What this
//! reports is what the generated crate's users see: a renamed struct, an accessor that moved
//! with a tag, an argument a method gained, a field that became `Option<Option<T>>`, a variant
//! an exhaustive `match` lacks.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{code, Change, ChangeKind, Level};
use crate::load::Document;
use crate::surface::{surface, MethodItem, Surface, TypeItemKind};

/// How the generated crate's version must move for the changes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// A Rust item was removed or changed: code using it may stop compiling.
    Major,
    /// Items were only added.
    Minor,
    /// The Rust API is the same.
    Patch,
}

impl Bump {
    /// `major`, `minor` or `patch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
        }
    }
}

/// The version bump the generated crate needs, by semver's rules and Cargo's reading of them
/// before 1.0 (`0.x`: a breaking change bumps the minor version, anything else the patch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Semver {
    /// What the Rust-API changes need, by semver.
    pub needed: Bump,
    /// The crate's version now (from its configuration).
    pub from: String,
    /// The version to release: `from` with `needed` applied (pre-1.0, one place lower).
    pub to: String,
    /// One sentence saying why.
    pub reason: String,
}

impl Semver {
    fn of(changes: &[Change], version: &str) -> Semver {
        let rust: Vec<&Change> = changes.iter().filter(|c| c.kind.id().starts_with("rust-")).collect();
        let needed = if rust.iter().any(|c| c.level == Level::Breaking) {
            Bump::Major
        } else if !rust.is_empty() {
            Bump::Minor
        } else {
            Bump::Patch
        };
        let parts: Vec<u64> = version.split(['.', '-', '+']).take(3).map(|p| p.parse().unwrap_or(0)).collect();
        let (major, minor, patch) = (parts.first().copied().unwrap_or(0), parts.get(1).copied().unwrap_or(0), parts.get(2).copied().unwrap_or(0));
        let pre = major == 0;
        let to = match (needed, pre) {
            (Bump::Major, false) => format!("{}.0.0", major + 1),
            (Bump::Major, true) | (Bump::Minor, false) => format!("{major}.{}.0", minor + 1),
            (Bump::Minor, true) | (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
        };
        let why = match needed {
            Bump::Major => "a Rust item was removed or changed",
            Bump::Minor => "Rust items were only added",
            Bump::Patch => "the Rust API does not change",
        };
        let reason = match (needed, pre) {
            (Bump::Major, true) => format!("{why}: a major change, which before 1.0 is a minor bump (0.x)"),
            (Bump::Minor, true) => format!("{why}: a minor change, which before 1.0 is a patch bump (0.x)"),
            _ => format!("{why}: a {} bump", needed.as_str()),
        };
        Semver { needed, from: version.to_string(), to, reason }
    }
}

/// The Rust-API changes between the crates `old` and `new` generate with `config`, and the
/// version bump they need; a side the generator refuses is one `rust-api-not-compared` warning.
pub(super) fn diff(old: &Document, new: &Document, config: &crate::Config) -> (Vec<Change>, Option<Semver>) {
    let build = |doc: &Document| crate::build::build(doc, config, "spec-diff").map(|(api, _)| surface(&api));
    let (a, b) = match (build(old), build(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            let change = Change {
                kind: ChangeKind::RustApiNotCompared,
                level: Level::Warning,
                operation: None,
                location: String::new(),
                message: format!("the generator refuses a side, so the Rust APIs were not compared: {}", code(&e.to_string())),
            };
            return (vec![change], None);
        }
    };
    let mut out = Compare { old, new, changes: Vec::new() };
    let renames = out.types(&a, &b);
    out.resources(&a, &b, &renames);
    let semver = Semver::of(&out.changes, &b.version);
    (out.changes, Some(semver))
}

struct Compare<'d> {
    old: &'d Document,
    new: &'d Document,
    changes: Vec<Change>,
}

/// A type's definition with the renamed types written by their new names.
fn shape(kind: &TypeItemKind, renames: &BTreeMap<String, String>) -> TypeItemKind {
    let mut kind = kind.clone();
    match &mut kind {
        TypeItemKind::Struct { fields, .. } => fields.iter_mut().for_each(|f| f.ty = renamed(&f.ty, renames)),
        TypeItemKind::Union { variants } => variants.iter_mut().for_each(|(_, t)| *t = renamed(t, renames)),
        TypeItemKind::Alias(t) => *t = renamed(t, renames),
        TypeItemKind::Enum { .. } => {}
    }
    kind
}

/// `models::Old` → `models::New` in a Rust type's text, for the types renamed.
fn renamed(ty: &str, renames: &BTreeMap<String, String>) -> String {
    if renames.is_empty() {
        return ty.to_string();
    }
    let mut out = String::with_capacity(ty.len());
    let mut rest = ty;
    while let Some(i) = rest.find("models::") {
        out.push_str(&rest[..i + 8]);
        rest = &rest[i + 8..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let name = &rest[..end];
        out.push_str(renames.get(name).map_or(name, String::as_str));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl Compare<'_> {
    fn push(&mut self, kind: ChangeKind, level: Level, operation: Option<String>, location: String, message: String) {
        self.changes.push(Change { kind, level, operation, location, message });
    }

    /// Where a named type comes from: its component when one has that name, else the document.
    fn type_pointer(doc: &Document, name: &str) -> String {
        let p = format!("/components/schemas/{}", crate::locate::escape_token(name));
        if crate::locate::get(&doc.raw, &p).is_some() {
            p
        } else {
            String::new()
        }
    }

    fn op_pointer(doc: &Document, m: &MethodItem) -> String {
        let p = format!("/paths/{}/{}", crate::locate::escape_token(&m.path), m.http_method.to_ascii_lowercase());
        if crate::locate::get(&doc.raw, &p).is_some() {
            p
        } else {
            String::new()
        }
    }

    /// Types: removed, added, renamed (an old and a new type with the same definition, once
    /// earlier renames are applied), changed. Answers the renames, old name → new name.
    fn types(&mut self, a: &Surface, b: &Surface) -> BTreeMap<String, String> {
        let removed: Vec<&String> = a.types.keys().filter(|n| !b.types.contains_key(*n)).collect();
        let mut added: BTreeSet<&String> = b.types.keys().filter(|n| !a.types.contains_key(*n)).collect();
        // The added types by definition, each list in name order (hashed: a whole API's
        // thousands of types pair in linear time).
        let mut by_shape: HashMap<&TypeItemKind, Vec<&String>> = HashMap::new();
        for &n in &added {
            by_shape.entry(&b.types[n].kind).or_default().push(n);
        }
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        let mut unpaired = removed;
        // Repeat while pairs are found: a struct renamed with its nested types pairs the inner
        // types first, after which the outer ones read the same (bounded by the nesting limit).
        for _ in 0..crate::limits::MAX_SCHEMA_DEPTH {
            let mut found = Vec::new();
            unpaired.retain(|&o| {
                let shape = shape(&a.types[o].kind, &renames);
                let Some(candidates) = by_shape.get_mut(&shape) else { return true };
                let Some(pos) = candidates.iter().position(|n| added.contains(n)) else { return true };
                let n = candidates.remove(pos);
                added.remove(n);
                found.push((o.clone(), n.clone()));
                false
            });
            if found.is_empty() {
                break;
            }
            renames.extend(found);
        }
        let removed = unpaired;
        for (o, n) in &renames {
            let location = Self::type_pointer(self.new, n);
            let message = format!("{} is renamed {}", code(&format!("models::{o}")), code(&format!("models::{n}")));
            self.push(ChangeKind::RustTypeRenamed, Level::Breaking, None, location, message);
        }
        for o in removed {
            let location = Self::type_pointer(self.old, o);
            self.push(ChangeKind::RustTypeRemoved, Level::Breaking, None, location, format!("{} is removed", code(&format!("models::{o}"))));
        }
        for n in added {
            let location = Self::type_pointer(self.new, n);
            let message = format!("{} is added ({})", code(&format!("models::{n}")), b.types[n].kind.label());
            self.push(ChangeKind::RustTypeAdded, Level::Info, None, location, message);
        }
        for (name, old) in &a.types {
            let Some(new) = b.types.get(name) else { continue };
            let old = shape(&old.kind, &renames);
            self.type_changed(name, &old, &new.kind);
        }
        renames
    }

    fn type_changed(&mut self, name: &str, old: &TypeItemKind, new: &TypeItemKind) {
        let path = format!("models::{name}");
        let location = Self::type_pointer(self.new, name);
        match (old, new) {
            (TypeItemKind::Struct { fields: of, .. }, TypeItemKind::Struct { fields: nf, default }) => {
                let new_fields: HashMap<&str, &crate::surface::FieldItem> = nf.iter().map(|f| (f.name.as_str(), f)).collect();
                let old_names: BTreeSet<&str> = of.iter().map(|f| f.name.as_str()).collect();
                for f in of {
                    let item = code(&format!("{path}::{}", f.name));
                    match new_fields.get(f.name.as_str()) {
                        None => self.push(ChangeKind::RustFieldRemoved, Level::Breaking, None, location.clone(), format!("{item} is removed")),
                        Some(n) if n.ty != f.ty => {
                            let message = format!("{item}: {} → {}", code(&f.ty), code(&n.ty));
                            self.push(ChangeKind::RustFieldTypeChanged, Level::Breaking, None, location.clone(), message);
                        }
                        Some(_) => {}
                    }
                }
                for n in nf.iter().filter(|n| !old_names.contains(n.name.as_str())) {
                    let item = code(&format!("{path}::{}: {}", n.name, n.ty));
                    let (level, why) = match default {
                        true => (Level::Info, format!("struct literals with `..Default::default()` still build {}", code(&path))),
                        false => (Level::Breaking, format!("{} has no `Default`, so every struct literal must name it", code(&path))),
                    };
                    self.push(ChangeKind::RustFieldAdded, level, None, location.clone(), format!("{item} is added: {why}"));
                }
            }
            (TypeItemKind::Enum { variants: ov }, TypeItemKind::Enum { variants: nv }) => {
                self.variants(&path, &location, ov, nv, "wire value");
            }
            (TypeItemKind::Union { variants: ov }, TypeItemKind::Union { variants: nv }) => {
                self.variants(&path, &location, ov, nv, "payload");
            }
            (TypeItemKind::Alias(o), TypeItemKind::Alias(n)) if o == n => {}
            (o, n) if o == n => {}
            (o, n) => {
                let message = match (o, n) {
                    (TypeItemKind::Alias(o), TypeItemKind::Alias(n)) => format!("{}: {} → {}", code(&path), code(o), code(n)),
                    _ => format!("{} was a {} and is a {}", code(&path), o.label(), n.label()),
                };
                self.push(ChangeKind::RustTypeChanged, Level::Breaking, None, location, message);
            }
        }
    }

    /// Variants by name: removed, added (breaking: the generated enums are not
    /// `#[non_exhaustive]`, so an exhaustive `match` stops compiling), and for unions a changed
    /// payload type.
    fn variants(&mut self, path: &str, location: &str, old: &[(String, String)], new: &[(String, String)], what: &str) {
        let new_values: HashMap<&str, &String> = new.iter().map(|(n, v)| (n.as_str(), v)).collect();
        let old_names: BTreeSet<&str> = old.iter().map(|(n, _)| n.as_str()).collect();
        for (name, value) in old {
            let item = code(&format!("{path}::{name}"));
            match new_values.get(name.as_str()).map(|v| ("", *v)) {
                None => self.push(ChangeKind::RustVariantRemoved, Level::Breaking, None, location.to_string(), format!("{item} is removed")),
                Some((_, v)) if v != value && what == "payload" => {
                    let message = format!("{item}: {what} {} → {}", code(value), code(v));
                    self.push(ChangeKind::RustVariantChanged, Level::Breaking, None, location.to_string(), message);
                }
                Some(_) => {}
            }
        }
        for (name, value) in new.iter().filter(|(n, _)| !old_names.contains(n.as_str())) {
            let message = format!(
                "{} is added ({what} {}): an exhaustive `match` on {} stops compiling",
                code(&format!("{path}::{name}")),
                code(value),
                code(path)
            );
            self.push(ChangeKind::RustVariantAdded, Level::Breaking, None, location.to_string(), message);
        }
    }

    /// Resource accessors and methods. A method only one side has is paired with one only the
    /// other side has by HTTP method and path (parameter names aside): the same operation under
    /// another accessor or name, `rust-method-moved`.
    fn resources(&mut self, a: &Surface, b: &Surface, renames: &BTreeMap<String, String>) {
        let accessor = |path: &[String]| format!("client{}", path.iter().map(|p| format!(".{p}()")).collect::<String>());
        for (path, r) in &a.resources {
            if !b.resources.contains_key(path) {
                let message = format!("accessor {} (returning {}) is removed", code(&accessor(path)), code(&r.struct_name));
                self.push(ChangeKind::RustResourceRemoved, Level::Breaking, None, String::new(), message);
            }
        }
        for (path, r) in &b.resources {
            if !a.resources.contains_key(path) {
                let message = format!("accessor {} (returning {}) is added", code(&accessor(path)), code(&r.struct_name));
                self.push(ChangeKind::RustResourceAdded, Level::Info, None, String::new(), message);
            }
        }
        let old = all_methods(a);
        let new = all_methods(b);
        let op = |m: &MethodItem| Some(format!("{} {}", m.http_method, m.path));
        let mut gone: Vec<&MethodKey> = old.keys().filter(|k| !new.contains_key(*k)).collect();
        let mut came: BTreeSet<&MethodKey> = new.keys().filter(|k| !old.contains_key(*k)).collect();
        // Moves first: the methods only NEW has, by HTTP method and path.
        let mut by_wire: HashMap<(&str, &str), Vec<&MethodKey>> = HashMap::new();
        for &c in &came {
            let (m, _) = &new[c];
            by_wire.entry((m.http_method.as_str(), m.wire_path.as_str())).or_default().push(c);
        }
        let mut moved = Vec::new();
        gone.retain(|&g| {
            let (m, _) = &old[g];
            let Some(c) = by_wire.get_mut(&(m.http_method.as_str(), m.wire_path.as_str())).and_then(|cs| (!cs.is_empty()).then(|| cs.remove(0))) else {
                return true;
            };
            came.remove(c);
            moved.push((g, c));
            false
        });
        for (g, c) in moved {
            let ((om, os), (nm, ns)) = (&old[g], &new[c]);
            let message = format!("{} is now {}", code(&om.call(os, &g.1)), code(&nm.call(ns, &c.1)));
            self.push(ChangeKind::RustMethodMoved, Level::Breaking, op(nm), Self::op_pointer(self.new, nm), message);
        }
        for g in gone {
            let (m, s) = &old[g];
            self.push(ChangeKind::RustMethodRemoved, Level::Breaking, op(m), Self::op_pointer(self.old, m), format!("{} is removed", code(&m.call(s, &g.1))));
        }
        for c in came {
            let (m, s) = &new[c];
            let message = format!("{} is added: {}", code(&m.call(s, &c.1)), code(&m.signature(&c.1)));
            self.push(ChangeKind::RustMethodAdded, Level::Info, op(m), Self::op_pointer(self.new, m), message);
        }
        for (key, (om, os)) in &old {
            let Some((nm, _)) = new.get(key) else { continue };
            let before = renamed(&om.signature(&key.1), renames);
            let after = nm.signature(&key.1);
            // Arguments are positional: a renamed one changes no caller.
            let types = |m: &MethodItem| (m.args.iter().map(|(_, t)| renamed(t, renames)).collect::<Vec<_>>(), renamed(&m.ret, renames));
            if types(om) != types(nm) {
                let message = format!("{}: {} → {}", code(&om.call(os, &key.1)), code(&before), code(&after));
                self.push(ChangeKind::RustMethodSignatureChanged, Level::Breaking, op(nm), Self::op_pointer(self.new, nm), message);
            }
        }
    }
}

/// A method by its resource's accessor path and its name.
type MethodKey = (Vec<String>, String);

/// Every method of a surface by (resource path, name), with the struct it is on.
fn all_methods(s: &Surface) -> BTreeMap<MethodKey, (&MethodItem, &String)> {
    let mut out = BTreeMap::new();
    for (path, r) in &s.resources {
        for (name, m) in &r.methods {
            out.insert((path.clone(), name.clone()), (m, &r.struct_name));
        }
    }
    out
}
