//! Schemas: `allOf` merging and the Rust type a schema maps to.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use super::{Spec, SpecError};
use crate::config::{FormatType, Formats};
use crate::limits::MAX_SCHEMA_DEPTH;
use crate::locate::join;

/// The properties of an object schema with its `allOf` parts merged in.
#[derive(Debug, Default)]
pub struct Props {
    /// (name, pointer of its schema), in order of first definition; a property defined again
    /// later keeps its place and takes the later schema.
    pub list: Vec<(String, String)>,
    /// Names some part lists in `required`.
    pub required: BTreeSet<String>,
    /// The last non-empty `additionalProperties` schema.
    pub extra: Option<String>,
}

impl Props {
    /// The pointer of property `name`'s schema.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.list.iter().find(|(n, _)| n == name).map(|(_, p)| p.as_str())
    }
}

/// True for a schema with properties of its own, or with `allOf` parts that may bring some.
pub fn has_properties(schema: &Map<String, Value>) -> bool {
    schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty()) || schema.get("allOf").is_some()
}

/// `allOf: [X]` with no properties beside it: the schema is X.
pub fn is_lone_all_of(schema: &Map<String, Value>) -> bool {
    schema.get("allOf").and_then(Value::as_array).is_some_and(|a| a.len() == 1) && schema.get("properties").is_none()
}

/// True for a string enum: an `enum` of strings (nulls aside) on a string or untyped schema.
fn is_string_enum(schema: &Map<String, Value>) -> bool {
    let Some(Value::Array(values)) = schema.get("enum") else { return false };
    values.iter().any(Value::is_string)
        && values.iter().filter(|v| !v.is_null()).all(Value::is_string)
        && matches!(schema.get("type").and_then(Value::as_str), None | Some("string"))
}

/// The first non-empty `oneOf`/`anyOf` keyword of a schema.
fn alternatives(schema: &Map<String, Value>) -> Option<&'static str> {
    ["oneOf", "anyOf"].into_iter().find(|k| schema.get(*k).and_then(Value::as_array).is_some_and(|a| !a.is_empty()))
}

/// True when a schema is generated as a named type (struct, enum or union), not inlined.
pub fn becomes_named_type(schema: &Map<String, Value>) -> bool {
    (has_properties(schema) && !is_lone_all_of(schema))
        || schema.get("enum").and_then(Value::as_array).is_some_and(|v| v.iter().any(Value::is_string))
            && matches!(schema.get("type").and_then(Value::as_str), None | Some("string"))
        || alternatives(schema).is_some()
}

/// What Rust type a schema maps to, decided from its keywords alone (the place of the parts it
/// names is the schema's pointer joined with the keyword).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustKind<'s> {
    /// `allOf: [X]` alone: the type of `allOf/0`.
    LoneAllOf,
    /// A struct of its properties, `allOf` parts merged.
    Struct,
    /// An enum of the alternatives under this keyword (`oneOf` or `anyOf`).
    Union(&'static str),
    /// An enum with a variant per string value and a catch-all.
    StringEnum(&'s [Value]),
    String,
    /// A string whose `format` the configuration maps to a library type.
    Mapped(FormatType),
    I32,
    I64,
    F32,
    F64,
    Bool,
    /// `Vec<T>` of `items` (`serde_json::Value` when there is none).
    Array,
    /// `BTreeMap<String, T>` of the `additionalProperties` schema.
    Map,
    /// `serde_json::Value`.
    Json,
    /// A `type` OpenAPI does not define: `serde_json::Value`, worth a warning.
    Unknown(&'s str),
}

impl<'s> RustKind<'s> {
    /// The mapping the ARCHITECTURE "Type mapping" table describes. Integer and boolean enums
    /// stay plain (every value decodes); formats that only constrain text stay `String` unless
    /// the configuration's `formats:` maps them to a library type.
    pub fn of(schema: &'s Map<String, Value>, formats: &Formats) -> RustKind<'s> {
        if let Some(Value::Array(_)) = schema.get("allOf") {
            return if is_lone_all_of(schema) { RustKind::LoneAllOf } else { RustKind::Struct };
        }
        if let Some(key) = alternatives(schema) {
            return RustKind::Union(key);
        }
        if is_string_enum(schema) {
            if let Some(Value::Array(values)) = schema.get("enum") {
                return RustKind::StringEnum(values);
            }
        }
        let format = schema.get("format").and_then(Value::as_str);
        let ty = schema.get("type").and_then(Value::as_str);
        match ty {
            Some("string") => match format.and_then(|f| formats.mapped(f)) {
                Some(mapped) => RustKind::Mapped(mapped),
                None => RustKind::String,
            },
            Some("integer") if format == Some("int32") => RustKind::I32,
            Some("integer") => RustKind::I64,
            Some("number") if format == Some("float") => RustKind::F32,
            Some("number") => RustKind::F64,
            Some("boolean") => RustKind::Bool,
            Some("array") => RustKind::Array,
            Some("object") | None => {
                if has_properties(schema) {
                    RustKind::Struct
                } else if ty.is_none() && schema.get("items").is_some() {
                    RustKind::Array
                } else if schema.get("additionalProperties").and_then(Value::as_object).is_some_and(|e| !e.is_empty()) {
                    RustKind::Map
                } else {
                    RustKind::Json
                }
            }
            Some(other) => RustKind::Unknown(other),
        }
    }
}

/// The outermost Rust type a schema maps to, without what it holds: two schemas whose heads
/// differ generate different Rust types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RustHead {
    String,
    /// A library type for a string format (`formats:`).
    Mapped(FormatType),
    I32,
    I64,
    F32,
    F64,
    Bool,
    /// `serde_json::Value`.
    #[default]
    Json,
    Vec,
    /// `BTreeMap<String, T>`.
    Map,
    Struct,
    /// A string enum (with its catch-all variant).
    Enum,
    /// A `oneOf`/`anyOf` enum.
    Union,
}

impl RustKind<'_> {
    /// The head of the type this kind becomes; `None` for [`RustKind::LoneAllOf`], whose type is
    /// its part's.
    pub fn head(self) -> Option<RustHead> {
        Some(match self {
            RustKind::LoneAllOf => return None,
            RustKind::Struct => RustHead::Struct,
            RustKind::Union(_) => RustHead::Union,
            RustKind::StringEnum(_) => RustHead::Enum,
            RustKind::String => RustHead::String,
            RustKind::Mapped(m) => RustHead::Mapped(m),
            RustKind::I32 => RustHead::I32,
            RustKind::I64 => RustHead::I64,
            RustKind::F32 => RustHead::F32,
            RustKind::F64 => RustHead::F64,
            RustKind::Bool => RustHead::Bool,
            RustKind::Array => RustHead::Vec,
            RustKind::Map => RustHead::Map,
            RustKind::Json | RustKind::Unknown(_) => RustHead::Json,
        })
    }
}

/// True when the schema is a list: `type: array`, or `items` without properties.
pub fn is_array(schema: &Map<String, Value>) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("array") || (schema.get("items").is_some() && !has_properties(schema))
}

/// True for a schema whose properties can stand as fields of their own: it has properties and
/// is not also a choice (`oneOf`/`anyOf`).
pub fn is_plain_object(schema: &Map<String, Value>) -> bool {
    has_properties(schema) && schema.get("oneOf").is_none() && schema.get("anyOf").is_none()
}

/// A union's `discriminator`.
#[derive(Debug, Clone)]
pub struct Discriminator {
    /// `propertyName`: the property whose value selects the variant.
    pub property: String,
    /// `mapping`: tag value → the pointer of the schema it selects (local references only).
    pub mapping: Vec<(String, String)>,
}

impl Discriminator {
    /// The discriminator of a schema, when it names its property.
    pub fn of(schema: &Map<String, Value>) -> Option<Discriminator> {
        let d = schema.get("discriminator").and_then(Value::as_object)?;
        let property = d.get("propertyName").and_then(Value::as_str)?.to_string();
        let mapping = d
            .get("mapping")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), super::ref_to_pointer(v.as_str()?)?))).collect())
            .unwrap_or_default();
        Some(Discriminator { property, mapping })
    }
}

impl Spec<'_> {
    /// Properties of an object schema, with `allOf` parts merged in order. Each schema is
    /// merged once, so `allOf` parts that refer to each other (or repeat) cost linear, not
    /// exponential, work.
    pub fn properties(&self, ptr: &str) -> Result<Props, SpecError> {
        self.merged_properties(&[ptr])
    }

    /// The properties of `base` (a union's own, beside its alternatives) and then those of
    /// the part at `ptr`, merged as `allOf: [base, part]` would be (the part's win by name).
    pub fn properties_with_base(&self, base: &str, ptr: &str) -> Result<Props, SpecError> {
        self.merged_properties(&[base, ptr])
    }

    /// The properties of the schemas at `ptrs`, merged in order (later ones win by name).
    fn merged_properties(&self, ptrs: &[&str]) -> Result<Props, SpecError> {
        let mut props = Props::default();
        let mut merge = Merge::default();
        for ptr in ptrs {
            self.merge_props(ptr, &mut props, 0, &mut merge)?;
        }
        Ok(props)
    }

    /// Property names listed in a `required` written beside a `$ref` on the way from `ptr` to
    /// its schema (and likewise in its `allOf` parts). OpenAPI 3.0 ignores a `$ref`'s
    /// siblings, so the models do not read these; Prism enforces them, so contract calls send
    /// them. Bounded like [`Spec::properties`]; a broken reference ends the walk.
    pub fn required_beside_ref(&self, ptr: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        self.collect_beside_ref(ptr, 0, &mut seen, &mut (HashSet::new(), &mut out));
        out
    }

    /// `out`: the names found, in order, and the same as a set.
    fn collect_beside_ref(&self, ptr: &str, depth: usize, seen: &mut HashSet<String>, out: &mut (HashSet<String>, &mut Vec<String>)) {
        let mut current = ptr.to_string();
        for _ in 0..MAX_SCHEMA_DEPTH {
            if depth >= MAX_SCHEMA_DEPTH || !seen.insert(current.clone()) {
                return;
            }
            let Some(node) = self.object(&current) else { return };
            if let Some(Value::Array(parts)) = node.get("allOf") {
                for i in 0..parts.len() {
                    self.collect_beside_ref(&format!("{current}/allOf/{i}"), depth + 1, seen, out);
                }
            }
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else { return };
            if let Some(Value::Array(req)) = node.get("required") {
                for name in req.iter().filter_map(Value::as_str) {
                    if out.0.insert(name.to_string()) {
                        out.1.push(name.to_string());
                    }
                }
            }
            match super::ref_to_pointer(reference).filter(|t| self.get(t).is_some()) {
                Some(target) => current = target,
                None => return,
            }
        }
    }

    fn merge_props(&self, ptr: &str, props: &mut Props, depth: usize, merge: &mut Merge) -> Result<(), SpecError> {
        if depth >= MAX_SCHEMA_DEPTH {
            return Err(self.too_deep(ptr, "`allOf` parts inside `allOf` parts deeper than the limit"));
        }
        let target = self.target(ptr)?;
        if !merge.seen.insert(target.clone()) {
            return Ok(());
        }
        let Some(schema) = self.object(&target) else {
            return Ok(());
        };
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            for i in 0..parts.len() {
                self.merge_props(&format!("{target}/allOf/{i}"), props, depth + 1, merge)?;
            }
        }
        if let Some(Value::Object(map)) = schema.get("properties") {
            let base = join(&target, "properties");
            for key in map.keys() {
                let p = join(&base, key);
                match merge.index.get(key) {
                    Some(&i) => props.list[i].1 = p,
                    None => {
                        merge.index.insert(key.clone(), props.list.len());
                        props.list.push((key.clone(), p));
                    }
                }
            }
        }
        if let Some(Value::Array(req)) = schema.get("required") {
            props.required.extend(req.iter().filter_map(Value::as_str).map(str::to_string));
        }
        if let Some(Value::Object(e)) = schema.get("additionalProperties") {
            if !e.is_empty() {
                props.extra = Some(join(&target, "additionalProperties"));
            }
        }
        Ok(())
    }
}

/// State of one property collection: the schemas merged so far, and where each property name
/// sits in the list, so neither is searched linearly.
#[derive(Default)]
struct Merge {
    seen: HashSet<String>,
    index: HashMap<String, usize>,
}
