//! Type and variant names: configured names first, then component names, then claimed ones
//! that never collide.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::Builder;
use crate::ir::*;
use crate::locate::join;
use crate::naming::{camel, snake};
use crate::spec::{self, schema::becomes_named_type};

/// Standard names the generated code and the runtime's `string_enum!` use unqualified in
/// models and resource modules; a type of the same name would hide them there.
pub(crate) const STD_TYPE_NAMES: &[&str] = &["Option", "Vec", "String", "Box", "BTreeMap", "Result", "From"];

/// The owner recorded for a reserved standard name.
const STD_OWNER: &str = "<std>";

impl Builder<'_> {
    /// Reserves configured names so generated names never take them.
    ///
    /// Then reserves the names of component schemas that become named types, in sorted order,
    /// so a component's name never depends on which inline schemas the walk meets first.
    pub(super) fn meta_component_names(&mut self) {
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
        let Some(schemas) = self.spec.object("/components/schemas") else {
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
    pub(super) fn configured_name(&self, ptr: &str) -> Option<String> {
        if self.cfg.types.is_empty() {
            return None;
        }
        if let Some(n) = self.cfg.types.get(ptr).or_else(|| self.cfg.types.get(&format!("#{ptr}"))) {
            return Some(n.clone());
        }
        self.cfg.types.get(&spec::component_name(ptr)?).cloned()
    }

    /// Claims a unique Rust type name for `ptr`, starting from `hint`.
    pub(super) fn claim(&mut self, hint: &str, ptr: &str) -> String {
        // Derived names join parts (`Self_` + `Item`); only configured names keep inner `_`.
        let tidy;
        let hint = if hint.trim_end_matches('_').contains('_') && !self.cfg.types.values().any(|v| v == hint) {
            tidy = crate::naming::camel(&hint.replace('_', ""));
            tidy.as_str()
        } else {
            hint
        };
        let capped;
        let hint = if hint.len() > crate::naming::MAX_TYPE_NAME {
            capped = crate::naming::cap_type(hint);
            capped.as_str()
        } else {
            hint
        };
        if let Some(owner) = self.owners.get(hint) {
            let is_component = |p: &str| spec::component_name(p).is_some();
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
        let stem = number_stem(hint);
        let start = self.next_number.get(stem).copied().unwrap_or(2);
        let mut n = start;
        while taken(self, &format!("{stem}{n}")) {
            n += 1;
        }
        let mine = self
            .owned_by
            .get(ptr)
            .into_iter()
            .flatten()
            .filter_map(|name| name.strip_prefix(stem)?.parse::<usize>().ok().filter(|k| *k >= 2 && format!("{stem}{k}") == *name))
            .min();
        let n = match mine {
            Some(k) if k < n => k,
            _ => {
                self.next_number.insert(stem.to_string(), n + 1);
                n
            }
        };
        let candidate = format!("{stem}{n}");
        self.own(&candidate, ptr);
        candidate
    }

    /// Records that `name` belongs to the schema (or operation) at `ptr`.
    pub(super) fn own(&mut self, name: &str, ptr: &str) {
        if let Some(previous) = self.owners.insert(name.to_string(), ptr.to_string()) {
            if let Some(names) = self.owned_by.get_mut(&previous) {
                names.retain(|n| n != name);
            }
        }
        self.owned_by.entry(ptr.to_string()).or_default().push(name.to_string());
    }

    /// Gives `name` up; numbered searches that passed it start from it again.
    pub(super) fn disown(&mut self, name: &str) {
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
}

/// What a numbered CamelCase name starts with: the name without the `_` that escapes a
/// keyword (`Self_` is numbered `Self2`: `Self_2` is not UpperCamelCase, which clippy's
/// `non_camel_case_types` refuses), else the name itself.
pub(super) fn number_stem(name: &str) -> &str {
    Some(name.trim_end_matches('_')).filter(|s| !s.is_empty()).unwrap_or(name)
}

/// `name` numbered `n` as a CamelCase name (see [`number_stem`]).
pub(super) fn camel_numbered(name: &str, n: usize) -> String {
    format!("{}{n}", number_stem(name))
}

/// The names taken in one scope (a struct's fields, a union's variants), and for each base
/// name the number its numbered search reached: names are only added, so every number before
/// it is taken, and many names wanting one base cost linear, not quadratic, time.
#[derive(Debug, Default)]
pub(super) struct Taken {
    used: BTreeSet<String>,
    next: HashMap<String, usize>,
}

impl Taken {
    /// `base` if free, else the first free `number(base, n)` for n from 2; now taken.
    pub(super) fn claim(&mut self, base: String, number: impl Fn(&str, usize) -> String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut n = self.next.get(&base).copied().unwrap_or(2);
        let mut name = number(&base, n);
        while !self.used.insert(name.clone()) {
            n += 1;
            name = number(&base, n);
        }
        self.next.insert(base, n + 1);
        name
    }
}

/// The snake_case field name for `json_name` not yet in `used` (`name`, else `name_2`, …), now
/// taken.
pub(super) fn unique_field_name(json_name: &str, used: &mut Taken) -> String {
    used.claim(snake(json_name), numbered)
}

/// `name_2`, or `self_2` for a name that already ends in `_`.
pub(super) fn numbered(base: &str, n: usize) -> String {
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
pub(super) fn variant_names(values: &[&str]) -> Vec<String> {
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
            let mut candidate = camel_numbered(&name, n);
            while used.contains(&candidate) {
                n += 1;
                candidate = camel_numbered(&name, n);
            }
            used.insert(candidate.clone());
            assigned.insert(v, candidate);
            n += 1;
        }
    }
    values.iter().map(|v| assigned[v].clone()).collect()
}

pub(super) fn variant_name(ty: &Ty, index: usize) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Mapped(m) => crate::naming::camel(m.format()),
        Ty::Bool => "Bool".into(),
        Ty::I32 | Ty::I64 => "Integer".into(),
        Ty::F32 | Ty::F64 => "Number".into(),
        Ty::Json => "Json".into(),
        Ty::Named(n) => n.clone(),
        Ty::Vec(inner) => format!("{}List", variant_name(inner, index)),
        Ty::Map(inner) => format!("{}Map", variant_name(inner, index)),
        Ty::Option(inner) => variant_name(inner, index),
        Ty::Upload => "Upload".into(),
        Ty::Multipart => "Multipart".into(),
        Ty::Unit => format!("Variant{index}"),
    }
}
