//! Rust-API changes: both documents built into the generator's IR with the same configuration,
//! read as [`Surface`]s (the item list `api.md` prints), and compared item by item. What this
//! reports is what the generated crate's users see: a renamed struct, an accessor that moved
//! with a tag, an argument a method gained, a field that became `Option<Option<T>>`, a variant
//! an exhaustive `match` lacks.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{code, Change, ChangeKind, Level};
use crate::load::Document;
use crate::surface::{surface, MethodItem, Surface, TypeItemKind};

/// The Rust-API changes between the crates `old` and `new` generate with `config`, and the
/// crate's version (from `config`); a side the generator refuses is one `rust-api-not-compared`
/// warning and no version.
pub(super) fn diff(old: &Document, new: &Document, config: &crate::Config) -> (Vec<Change>, Option<String>) {
    let build = |doc: &Document| crate::build::build(doc, config, "spec-diff").map(|(api, _)| surface(&api));
    // The two builds are independent: on two cores they take the time of one.
    let (built_old, built_new) = std::thread::scope(|s| {
        let old_side = s.spawn(|| build(old));
        let new_side = build(new);
        (old_side.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), new_side)
    });
    let (a, b) = match (built_old, built_new) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            let change = Change {
                kind: ChangeKind::RustApiNotCompared,
                level: Level::Warning,
                operation: None,
                location: String::new(),
                message: format!("the generator refuses a side, so the Rust APIs were not compared: {}", code(&e.to_string())),
                acknowledged: None,
            };
            return (vec![change], None);
        }
    };
    let mut out = Compare { old, new, old_owners: owners(&a, old), new_owners: owners(&b, new), changes: Vec::new() };
    let renames = out.types(&a, &b);
    out.resources(&a, &b, &renames);
    out.auth(&a, &b);
    (out.changes, Some(b.version))
}

struct Compare<'d> {
    old: &'d Document,
    new: &'d Document,
    /// Each side's types that no component names, by the operation that makes them.
    old_owners: HashMap<String, String>,
    new_owners: HashMap<String, String>,
    changes: Vec<Change>,
}

/// Which document a pointer goes into.
#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

/// The `models` types a Rust type's text names.
fn named_types(ty: &str) -> impl Iterator<Item = &str> {
    ty.split("models::").skip(1).map(|name| {
        let end = name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(name.len());
        &name[..end]
    })
}

/// Where each type no component names comes from: the operation of the first method (in
/// resource order) that takes or returns it (or decodes its errors to it), else the property (or parameter) of the first
/// placed type that holds it, breadth first, so nested inline types are placed too.
fn owners(s: &Surface, doc: &Document) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    let mut queue = std::collections::VecDeque::new();
    for name in s.types.keys() {
        let p = format!("/components/schemas/{}", crate::locate::escape_token(name));
        if crate::locate::get(&doc.raw, &p).is_some() {
            out.insert(name.clone(), p);
            queue.push_back(name.as_str());
        }
    }
    for r in s.resources.values() {
        for m in r.methods.values() {
            let pointer = Compare::op_pointer(doc, m);
            if pointer.is_empty() {
                continue;
            }
            for ty in m.args.iter().map(|(_, t)| t).chain([&m.ret]).chain(&m.error) {
                for name in named_types(ty) {
                    if let Some((key, _)) = s.types.get_key_value(name) {
                        if !out.contains_key(key) {
                            out.insert(key.clone(), pointer.clone());
                            queue.push_back(key.as_str());
                        }
                    }
                }
            }
        }
    }
    while let Some(name) = queue.pop_front() {
        let base = out[name].clone();
        // The types this one holds, each with where it sits; a field's pointer is worked out
        // only when the field holds a type not yet placed.
        let mut place = |inner: &str, at: &dyn Fn() -> String, out: &mut HashMap<String, String>| {
            if let Some((key, _)) = s.types.get_key_value(inner) {
                if !out.contains_key(key) {
                    out.insert(key.clone(), at());
                    queue.push_back(key.as_str());
                }
            }
        };
        match &s.types[name].kind {
            TypeItemKind::Struct { fields, .. } => {
                for f in fields {
                    let at = std::cell::OnceCell::new();
                    for inner in named_types(&f.ty) {
                        place(inner, &|| at.get_or_init(|| field_pointer(doc, &base, f)).clone(), &mut out);
                    }
                }
            }
            TypeItemKind::Union { variants } => {
                for (_, t) in variants {
                    for inner in named_types(t) {
                        place(inner, &|| base.clone(), &mut out);
                    }
                }
            }
            TypeItemKind::Alias(t) => {
                for inner in named_types(t) {
                    place(inner, &|| base.clone(), &mut out);
                }
            }
            TypeItemKind::Enum { .. } => {}
        }
    }
    out
}

/// Where a field (by its wire name) of the type at `base` is written: the schema's property
/// (a component's, or one `base` reaches), or the operation's parameter of that name, else
/// `base`.
fn field_pointer(doc: &Document, base: &str, field: &crate::surface::FieldItem) -> String {
    let wire = field.wire.as_deref().unwrap_or(&field.name);
    let property = format!("{base}/properties/{}", crate::locate::escape_token(wire));
    if crate::locate::get(&doc.raw, &property).is_some() {
        return property;
    }
    let parameters = format!("{base}/parameters");
    let found = crate::locate::get(&doc.raw, &parameters)
        .and_then(|p| p.as_array())
        .and_then(|list| list.iter().position(|p| p.get("name").and_then(|n| n.as_str()) == Some(wire)));
    match found {
        Some(i) => format!("{parameters}/{i}"),
        None => base.to_string(),
    }
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
        self.changes.push(Change { kind, level, operation, location, message, acknowledged: None });
    }

    fn doc(&self, side: Side) -> &Document {
        match side {
            Side::Old => self.old,
            Side::New => self.new,
        }
    }

    /// Where a named type comes from (see [`owners`]); empty when nothing places it.
    fn type_pointer(&self, side: Side, name: &str) -> String {
        let owners = match side {
            Side::Old => &self.old_owners,
            Side::New => &self.new_owners,
        };
        owners.get(name).cloned().unwrap_or_default()
    }

    fn field_pointer(&self, side: Side, base: &str, field: &crate::surface::FieldItem) -> String {
        field_pointer(self.doc(side), base, field)
    }

    fn op_pointer(doc: &Document, m: &MethodItem) -> String {
        let p = format!("/paths/{}/{}", crate::locate::escape_token(&m.path), m.http_method.to_ascii_lowercase());
        if crate::locate::get(&doc.raw, &p).is_some() {
            p
        } else {
            String::new()
        }
    }

    /// Ways to authenticate, by `Auth` variant: one removed takes its variant and builder
    /// method with it (a security requirement dropped, or alternatives merged); one whose
    /// fields or method changed breaks code that builds it.
    fn auth(&mut self, a: &Surface, b: &Surface) {
        let at = |doc: &Document| {
            ["/components/securitySchemes", "/securityDefinitions"]
                .into_iter()
                .find(|p| crate::locate::get(&doc.raw, p).is_some())
                .unwrap_or_default()
                .to_string()
        };
        let name = |item: &crate::surface::AuthItem| {
            let method = item.method.strip_prefix("fn ").and_then(|m| m.split('(').next()).unwrap_or_default();
            format!("{} and {}", code(&format!("Auth::{}", item.variant)), code(&format!("ClientBuilder::{method}")))
        };
        for (variant, old) in &a.auth {
            match b.auth.get(variant) {
                None => {
                    let message = format!("{} are removed", name(old));
                    self.push(ChangeKind::RustAuthRemoved, Level::Breaking, None, at(self.old), message);
                }
                Some(new) if new != old => {
                    let message = format!("{}: {} → {}", code(&format!("Auth::{variant}")), code(&format!("{}; {}", old.variant, old.method)), code(&format!("{}; {}", new.variant, new.method)));
                    self.push(ChangeKind::RustAuthChanged, Level::Breaking, None, at(self.new), message);
                }
                Some(_) => {}
            }
        }
        for (variant, new) in &b.auth {
            if !a.auth.contains_key(variant) {
                self.push(ChangeKind::RustAuthAdded, Level::Info, None, at(self.new), format!("{} are added", name(new)));
            }
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
            let location = self.type_pointer(Side::New, n);
            let message = format!("{} is renamed {}", code(&format!("models::{o}")), code(&format!("models::{n}")));
            self.push(ChangeKind::RustTypeRenamed, Level::Breaking, None, location, message);
        }
        for o in removed {
            let location = self.type_pointer(Side::Old, o);
            self.push(ChangeKind::RustTypeRemoved, Level::Breaking, None, location, format!("{} is removed", code(&format!("models::{o}"))));
        }
        for n in added {
            let location = self.type_pointer(Side::New, n);
            let message = format!("{} is added ({})", code(&format!("models::{n}")), b.types[n].kind.label());
            self.push(ChangeKind::RustTypeAdded, Level::Info, None, location, message);
        }
        for (name, old) in &a.types {
            let Some(new) = b.types.get(name) else { continue };
            let both_structs = matches!((&old.kind, &new.kind), (TypeItemKind::Struct { .. }, TypeItemKind::Struct { .. }));
            if both_structs && !old.non_exhaustive && new.non_exhaustive {
                // A struct users built before is now only read from responses.
                let message = format!(
                    "{} is now `#[non_exhaustive]`: code outside the crate can no longer build it with a literal or match it exhaustively",
                    code(&format!("models::{name}"))
                );
                self.push(ChangeKind::RustTypeChanged, Level::Breaking, None, self.type_pointer(Side::New, name), message);
            }
            if !old.deprecated && new.deprecated {
                let message = format!("{} is now `#[deprecated]`", code(&format!("models::{name}")));
                self.push(ChangeKind::RustItemDeprecated, Level::Info, None, self.type_pointer(Side::New, name), message);
            }
            let shape_old = shape(&old.kind, &renames);
            self.type_changed(name, &shape_old, &new.kind, new.non_exhaustive);
        }
        renames
    }

    /// `non_exhaustive`: the new type is `#[non_exhaustive]`, so a field it gains breaks no code
    /// outside the crate.
    fn type_changed(&mut self, name: &str, old: &TypeItemKind, new: &TypeItemKind, non_exhaustive: bool) {
        let path = format!("models::{name}");
        let location = self.type_pointer(Side::New, name);
        match (old, new) {
            (TypeItemKind::Struct { fields: of, .. }, TypeItemKind::Struct { fields: nf, default }) => {
                let new_fields: HashMap<&str, &crate::surface::FieldItem> = nf.iter().map(|f| (f.name.as_str(), f)).collect();
                let old_names: BTreeSet<&str> = of.iter().map(|f| f.name.as_str()).collect();
                for f in of {
                    let item = code(&format!("{path}::{}", f.name));
                    match new_fields.get(f.name.as_str()) {
                        None => {
                            let at = self.field_pointer(Side::Old, &self.type_pointer(Side::Old, name), f);
                            self.push(ChangeKind::RustFieldRemoved, Level::Breaking, None, at, format!("{item} is removed"));
                        }
                        Some(n) => {
                            if n.ty != f.ty {
                                let message = format!("{item}: {} → {}", code(&f.ty), code(&n.ty));
                                let at = self.field_pointer(Side::New, &location, n);
                                self.push(ChangeKind::RustFieldTypeChanged, Level::Breaking, None, at, message);
                            }
                            if n.deprecated && !f.deprecated {
                                let at = self.field_pointer(Side::New, &location, n);
                                self.push(ChangeKind::RustItemDeprecated, Level::Info, None, at, format!("{item} is now `#[deprecated]`"));
                            }
                        }
                    }
                }
                for n in nf.iter().filter(|n| !old_names.contains(n.name.as_str())) {
                    let item = code(&format!("{path}::{}: {}", n.name, n.ty));
                    let (level, why) = match (non_exhaustive, default) {
                        (true, _) => (Level::Info, format!("{} is `#[non_exhaustive]`, built only by the crate", code(&path))),
                        (false, true) => (Level::Info, format!("struct literals with `..Default::default()` still build {}", code(&path))),
                        (false, false) => (Level::Breaking, format!("{} has no `Default`, so every struct literal must name it", code(&path))),
                    };
                    let at = self.field_pointer(Side::New, &location, n);
                    self.push(ChangeKind::RustFieldAdded, level, None, at, format!("{item} is added: {why}"));
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

    /// Variants by name: removed, added (info: every generated enum is `#[non_exhaustive]`, so
    /// no `match` outside the crate is exhaustive), and for unions a changed payload type.
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
                "{} is added ({what} {}): {} is `#[non_exhaustive]`, so every `match` on it already has a `_` arm",
                code(&format!("{path}::{name}")),
                code(value),
                code(path)
            );
            self.push(ChangeKind::RustVariantAdded, Level::Info, None, location.to_string(), message);
        }
    }

    /// Resource accessors and methods. A method only one side has is paired with one only the
    /// other side has by HTTP method and path (parameter names aside): the same operation under
    /// another accessor or name, `rust-method-moved`.
    fn resources(&mut self, a: &Surface, b: &Surface, renames: &BTreeMap<String, String>) {
        let accessor = |path: &[String]| format!("client{}", path.iter().map(|p| format!(".{p}()")).collect::<String>());
        // An accessor is placed on the operation of its first method, or of its first
        // descendant's (resources sort by accessor path, so those follow it).
        let first_op = |doc: &Document, s: &Surface, path: &Vec<String>| {
            s.resources
                .range(path.clone()..)
                .take_while(|(p, _)| p.starts_with(path))
                .flat_map(|(_, r)| r.methods.values())
                .map(|m| Self::op_pointer(doc, m))
                .find(|p| !p.is_empty())
                .unwrap_or_default()
        };
        for (path, r) in &a.resources {
            if !b.resources.contains_key(path) {
                let message = format!("accessor {} (returning {}) is removed", code(&accessor(path)), code(&r.struct_name));
                self.push(ChangeKind::RustResourceRemoved, Level::Breaking, None, first_op(self.old, a, path), message);
            }
        }
        for (path, r) in &b.resources {
            if !a.resources.contains_key(path) {
                let message = format!("accessor {} (returning {}) is added", code(&accessor(path)), code(&r.struct_name));
                self.push(ChangeKind::RustResourceAdded, Level::Info, None, first_op(self.new, b, path), message);
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
            if nm.deprecated && !om.deprecated {
                let message = format!("{} is now `#[deprecated]`", code(&nm.call(os, &key.1)));
                self.push(ChangeKind::RustItemDeprecated, Level::Info, op(nm), Self::op_pointer(self.new, nm), message);
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
