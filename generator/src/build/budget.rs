//! The budget on what the build makes. A parameter or request body shared by `$ref` is copied
//! into the params struct of every operation that uses it (its properties become the method's
//! arguments), so a short document can ask for far more code than it holds: one 3,000-property
//! request body used by 1,000 operations is 320 KB of JSON and three million fields. Every type,
//! operation and warning the build makes is weighed as it is made; after each operation the
//! total is checked against [`BUILD_BYTES_PER_BYTE`] times the input, and a document over it is
//! refused with the operation where it ran out.

use super::{BuildError, Builder};
use crate::ir::*;
use crate::limits::{BUILD_BYTES_PER_BYTE, MIN_BUILD_BYTES};

use std::mem::size_of;

/// What the build has made so far, against what the input allows.
#[derive(Debug)]
pub(super) struct Budget {
    /// The weight of every type, operation and warning made.
    made: usize,
    /// The most the build may make.
    allowed: usize,
    /// The heaviest type made since the last check: its name, weight and fields.
    heaviest: Option<(String, usize, usize)>,
}

impl Budget {
    /// The budget of a document whose input (text and overlays) is `input_bytes` long.
    pub(super) fn new(input_bytes: usize) -> Self {
        Budget { made: 0, allowed: MIN_BUILD_BYTES.max(BUILD_BYTES_PER_BYTE.saturating_mul(input_bytes)), heaviest: None }
    }
}

impl Builder<'_> {
    /// Adds `weight` to what the build has made: false once that passes the budget.
    pub(super) fn charge(&mut self, weight: usize) -> bool {
        self.budget.made = self.budget.made.saturating_add(weight);
        self.budget.made <= self.budget.allowed
    }

    /// Adds a named type, weighing it against the budget.
    pub(super) fn add_type(&mut self, def: TypeDef) {
        let weight = type_weight(&def);
        self.charge(weight);
        if self.budget.heaviest.as_ref().is_none_or(|(_, w, _)| weight > *w) {
            let fields = match &def.kind {
                TypeKind::Struct(s) => s.fields.len(),
                _ => 0,
            };
            self.budget.heaviest = Some((def.name.clone(), weight, fields));
        }
        self.types.insert(def.name.clone(), def);
    }

    /// Weighs an operation (its path parameters and texts) against the budget.
    pub(super) fn charge_operation(&mut self, op: &Operation) {
        let mut weight = size_of::<Operation>() + op.method_name.len() + op.path.as_str().len();
        weight += [&op.operation_id, &op.summary, &op.description, &op.deprecation_note].into_iter().map(text).sum::<usize>();
        weight += op.path_params.iter().map(|p| size_of::<PathParam>() + p.rust_name.len() + p.json_name.len() + text(&p.docs) + sample(&p.sample) + ty_weight(&p.ty)).sum::<usize>();
        weight += op.security.iter().flatten().map(|a| size_of::<Vec<usize>>() + a.len() * size_of::<usize>()).sum::<usize>();
        self.charge(weight);
    }

    /// Fails when what the build has made so far is over the budget, naming the place at
    /// `ptr` (the operation last built; the document when empty) and the heaviest type made
    /// since the last check.
    pub(super) fn within_budget(&mut self, ptr: &str) -> Result<(), BuildError> {
        let heaviest = self.budget.heaviest.take();
        if self.budget.made <= self.budget.allowed {
            return Ok(());
        }
        let (file, line, mut pointer) = self.spec.place(ptr);
        if pointer.is_empty() {
            pointer = "the document's end".into();
        }
        let heaviest = heaviest.map(|(name, _, fields)| (name, fields));
        Err(BuildError::TooMuchCode { file, line, pointer, allowed: self.budget.allowed, heaviest })
    }
}

/// Bytes of an optional text.
fn text(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, String::len)
}

/// What a type weighs: its name and docs, and each field or variant with its texts.
fn type_weight(def: &TypeDef) -> usize {
    let own = size_of::<TypeDef>() + def.name.len() + text(&def.docs) + text(&def.deprecation_note);
    let body = match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().map(field_weight).sum::<usize>() + s.extra.as_ref().map_or(0, ty_weight),
        TypeKind::Enum { variants } => variants.iter().map(|v| size_of::<EnumVariant>() + v.rust_name.len() + v.value.len() + text(&v.docs)).sum(),
        TypeKind::Union(u) => {
            text(&u.tag) + u.variants.iter().map(|v| size_of::<UnionVariant>() + v.rust_name.len() + text(&v.tag_value) + ty_weight(&v.ty)).sum::<usize>()
        }
        TypeKind::Alias(ty) => ty_weight(ty),
        TypeKind::ErrorBody(variants) => variants.iter().map(|v| size_of::<ErrorVariant>() + v.name.len() + ty_weight(&v.ty)).sum(),
    };
    own.saturating_add(body)
}

/// What a field weighs: its names, texts, type and sample.
fn field_weight(f: &Field) -> usize {
    size_of::<Field>() + f.rust_name.len() + f.json_name.len() + text(&f.docs) + text(&f.deprecation_note) + text(&f.default) + sample(&f.sample) + ty_weight(&f.ty)
}

/// The names a type spells.
fn ty_weight(ty: &Ty) -> usize {
    match ty {
        Ty::Named(n) => n.len(),
        Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) => 8 + ty_weight(t),
        _ => 8,
    }
}

/// The bytes of a sample value: its keys and texts, and a `Value` for each node.
fn sample(v: &Option<serde_json::Value>) -> usize {
    fn weight(v: &serde_json::Value) -> usize {
        use serde_json::Value;
        size_of::<serde_json::Value>() + match v {
            Value::String(s) => s.len(),
            Value::Array(a) => a.iter().map(weight).sum(),
            Value::Object(m) => m.iter().map(|(k, v)| k.len() + weight(v)).sum(),
            _ => 0,
        }
    }
    v.as_ref().map_or(0, weight)
}
