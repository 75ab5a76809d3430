//! Schemas → [`Ty`]: named structs, enums and unions, fields, and aliases.

use std::collections::BTreeSet;

use serde_json::Value;

use super::names::{camel_numbered, unique_field_name, variant_name, variant_names, Taken};
use super::{BuildError, Builder};
use crate::ir::*;
use crate::limits::MAX_SCHEMA_DEPTH;
use crate::locate::join;
use crate::naming::camel;
use crate::spec::schema::Discriminator;
use crate::spec::{self, Meta, RustKind};

impl Builder<'_> {
    /// The Rust type for the schema at `ptr`; `hint` names it if it needs a name.
    pub(super) fn ty_of(&mut self, ptr: &str, hint: &str) -> Result<(Ty, Meta), BuildError> {
        self.ty_of_hinted(ptr, || hint.to_string())
    }

    /// [`Self::ty_of`], making the name hint only for a schema that may become a named type
    /// (most properties are strings and numbers, and a hint is a few allocations).
    pub(super) fn ty_of_hinted(&mut self, ptr: &str, hint: impl FnOnce() -> String) -> Result<(Ty, Meta), BuildError> {
        let (target, meta) = self.spec.deref(ptr)?;
        let hint = match self.configured_name(&target) {
            Some(n) => n,
            None => match spec::component_name(&target) {
                Some(name) => camel(&name),
                None if self.names_nothing(&target) => String::new(),
                None => hint(),
            },
        };
        let ty = self.shape(&target, &hint)?;
        Ok((ty, meta))
    }

    /// Whether the schema at `ptr` becomes a type that needs no name: a number, a string, a
    /// boolean or untyped JSON, not named already.
    fn names_nothing(&self, ptr: &str) -> bool {
        let Some(schema) = self.spec.object(ptr) else { return true };
        !self.named.contains_key(ptr)
            && matches!(
                RustKind::of(schema, &self.cfg.formats),
                RustKind::String | RustKind::Mapped(_) | RustKind::I32 | RustKind::I64 | RustKind::F32 | RustKind::F64 | RustKind::Bool | RustKind::Json
            )
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
            return Err(self.spec.too_deep(ptr, "schemas inside schemas (properties, items, allOf/oneOf/anyOf parts) deeper than the limit, counted through `$ref`s").into());
        }
        self.in_progress.push(ptr.to_string());
        let result = self.shape_inner(ptr, hint);
        self.in_progress.pop();
        result
    }

    fn shape_inner(&mut self, ptr: &str, hint: &str) -> Result<Ty, BuildError> {
        let Some(schema) = self.spec.object(ptr) else {
            // `true`, `{}`-less or malformed nodes: anything goes.
            return Ok(Ty::Json);
        };
        Ok(match RustKind::of(schema, &self.cfg.formats) {
            RustKind::LoneAllOf => self.ty_of(&format!("{ptr}/allOf/0"), hint)?.0,
            RustKind::Struct => self.struct_type(ptr, hint)?,
            RustKind::Union(key) => self.union_type(ptr, key, hint)?,
            RustKind::StringEnum(values) => self.enum_type(ptr, hint, values),
            RustKind::String => Ty::String,
            RustKind::Mapped(m) => Ty::Mapped(m),
            RustKind::I32 => Ty::I32,
            RustKind::I64 => Ty::I64,
            RustKind::F32 => Ty::F32,
            RustKind::F64 => Ty::F64,
            RustKind::Bool => Ty::Bool,
            RustKind::Array => self.array_item(ptr, &format!("{hint}Item"))?,
            RustKind::Map => {
                let (inner, meta) = self.ty_of(&join(ptr, "additionalProperties"), &format!("{hint}Value"))?;
                Ty::Map(Box::new(wrap_nullable(inner, meta.nullable)))
            }
            RustKind::Json => Ty::Json,
            RustKind::Unknown(other) => {
                self.diag(
                    "unknown-type",
                    &join(ptr, "type"),
                    format!("unknown schema type `{other}`; generated as untyped JSON (serde_json::Value)"),
                );
                Ty::Json
            }
        })
    }

    /// `ty` for a place that cannot carry the runtime's `time_serde` (a whole body, response or
    /// error body, a map of extra properties, a parameter that is not one value or a list):
    /// `time` types there stay `String`, with a note naming the place.
    pub(super) fn plain_time(&mut self, ty: Ty, ptr: &str, place: &str) -> Ty {
        if !ty.needs_time_helper() {
            return ty;
        }
        self.diag(
            "format-kept-string",
            ptr,
            format!("{place} is a `time` date or date-time outside a struct field, union variant or parameter, where its RFC 3339 form cannot be attached; kept as `String` (`jiff` types have no such limit)"),
        );
        ty.without_time()
    }

    fn array_item(&mut self, ptr: &str, item_hint: &str) -> Result<Ty, BuildError> {
        let items = join(ptr, "items");
        if self.spec.get(&items).is_none() {
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
        let meta = self.spec.object(ptr).map(Meta::of).unwrap_or_default();
        let docs = meta.description.or_else(|| Some(generated_from(ptr)));
        self.add_type(TypeDef {
            name,
            docs,
            deprecated: meta.deprecated,
            deprecation_note: meta.deprecation_note,
            kind,
        });
    }

    fn struct_type(&mut self, ptr: &str, hint: &str) -> Result<Ty, BuildError> {
        let name = self.begin_named(ptr, hint);
        let props = match self.union_base.get(ptr) {
            Some(base) => self.spec.properties_with_base(base, ptr)?,
            None => self.spec.properties(ptr)?,
        };
        let mut fields = Vec::new();
        let mut used = Taken::default();
        for (json_name, prop_ptr) in &props.list {
            if self.skipped_property(prop_ptr) {
                continue;
            }
            let field = self.field(&name, json_name, prop_ptr, props.required.contains(json_name), &mut used, FieldLocation::Body)?;
            fields.push(field);
        }
        // Only contract calls read `must_send`: the model is as the document's `required` says.
        if self.cfg.tests.contract {
            let target = self.spec.target(ptr)?;
            let min = super::body::min_properties(self.spec.object(&target));
            super::body::mark_must_send(&mut fields, &self.spec.required_beside_ref(ptr), min);
        }
        let extra = match props.extra {
            Some(p) => {
                let (t, _) = self.ty_of(&p, &format!("{name}Value"))?;
                Some(self.plain_time(t, &p, "an additional property"))
            }
            None => None,
        };
        self.finish_named(name.clone(), ptr, TypeKind::Struct(Struct { fields, extra, usage: Usage::Model }));
        Ok(Ty::Named(name))
    }

    pub(super) fn field(
        &mut self,
        owner: &str,
        json_name: &str,
        ptr: &str,
        required: bool,
        used: &mut Taken,
        location: FieldLocation,
    ) -> Result<Field, BuildError> {
        let (ty, meta) = self.ty_of_hinted(ptr, || format!("{owner}{}", camel(json_name)))?;
        let wanted = self.hinted_field_name(ptr);
        let rust_name = unique_field_name(wanted.as_deref().unwrap_or(json_name), used);
        Ok(Field {
            rust_name,
            json_name: json_name.to_string(),
            ty,
            required: required && !meta.nullable,
            in_required: required,
            nullable: meta.nullable,
            must_send: required && meta.nullable,
            boxed: false,
            docs: meta.description,
            deprecated: meta.deprecated,
            deprecation_note: meta.deprecation_note,
            read_only: meta.read_only,
            write_only: meta.write_only,
            default: meta.default,
            location,
            sample: self.sample(ptr),
            style: Default::default(),
        })
    }

    /// True for a property its SDK hints leave out (`x-stainless-skip: true` on it or on the
    /// schema it refers to), which is then no field; the server may still send it.
    pub(super) fn skipped_property(&mut self, ptr: &str) -> bool {
        let target = self.spec.target(ptr).ok();
        let skip = [Some(ptr), target.as_deref()].into_iter().flatten().filter_map(|p| self.spec.object(p)).any(|n| n.get("x-stainless-skip") == Some(&Value::Bool(true)));
        if skip {
            self.diag_at(crate::diag::Severity::Info, "sdk-hint-skip", ptr, "`x-stainless-skip: true` leaves this property out of SDKs; no field is generated for it".into());
        }
        skip
    }

    /// The field name a document's SDK hints ask for, on the property's schema or the schema it
    /// refers to: `x-stainless-param` (a parameter's name in SDKs), else
    /// `x-stainless-naming`'s `rust.property_name`, else its Python `property_name` where Go names
    /// the property too (a name every SDK needs, not one for Python's own reserved words). The
    /// caller passes it through the naming rules like any property name.
    fn hinted_field_name(&self, ptr: &str) -> Option<String> {
        let target = self.spec.target(ptr).ok();
        let nodes = [Some(ptr), target.as_deref()];
        let found = nodes.into_iter().flatten().filter_map(|p| self.spec.object(p)).find_map(|node| {
            let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| s.chars().any(|c| c.is_ascii_alphabetic())).map(str::to_string);
            if let Some(name) = text(node.get("x-stainless-param")) {
                return Some(name);
            }
            let naming = node.get("x-stainless-naming")?;
            let name_for = |lang: &str| naming.get(lang).and_then(|l| l.get("property_name"));
            text(name_for("rust")).or_else(|| name_for("go").and_then(|_| text(name_for("python"))))
        });
        found
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
            .spec
            .object(ptr)
            .and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let discriminator = self.spec.object(ptr).and_then(Discriminator::of);
        let (tag_prop, mapping) = match discriminator {
            Some(d) => (Some(d.property), d.mapping),
            None => (None, Vec::new()),
        };
        let base_props = self.spec.object(ptr).is_some_and(|s| s.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty()));
        // Mapping target → its first value, looked up once per variant.
        let mut by_target: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for (value, target) in &mapping {
            by_target.entry(target.as_str()).or_insert(value.as_str());
        }
        let mut all_tagged = tag_prop.is_some();
        let mut variants: Vec<UnionVariant> = Vec::new();
        let mut distinct = std::collections::HashSet::new();
        let mut used = Taken::default();
        for i in 0..count {
            let part = format!("{ptr}/{key}/{i}");
            let tag_value = match &tag_prop {
                Some(prop) => {
                    let (target, _) = self.spec.deref(&part)?;
                    self.tag_value(&target, prop, &by_target)
                }
                None => None,
            };
            let suffix = self.spec.object(&part).map_or_else(|| format!("Variant{i}"), |schema| variant_suffix(schema, tag_value.as_deref(), i));
            let hint = format!("{name}{suffix}");
            // Properties written beside the alternatives belong to every one of them: an inline
            // object part takes them into its struct (a `$ref` part is a type of its own,
            // shared elsewhere, and stays as it is).
            if base_props && self.spec.object(&part).is_some_and(|p| !p.contains_key("$ref") && matches!(RustKind::of(p, &self.cfg.formats), RustKind::Struct)) {
                self.union_base.insert(part.clone(), ptr.to_string());
            }
            let (ty, meta) = self.ty_of(&part, &hint)?;
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
            // A type made for this variant is named after the union; the variant is its suffix.
            let base = match &ty {
                Ty::Named(n) if n.starts_with(&hint) && self.named.get(&part) == Some(n) => {
                    n[name.len()..].to_string()
                }
                _ => variant_name(&ty, i),
            };
            let rust_name = used.claim(base, camel_numbered);
            // Only contract calls read it.
            let sends_all = self.cfg.tests.contract && self.spec.full_sample(&part).is_some_and(|v| self.spec.fits(ptr, &v, 0));
            variants.push(UnionVariant {
                rust_name,
                tag_value,
                ty,
                boxed: false,
                sends_all,
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
    fn tag_value(&self, target: &str, prop: &str, mapping: &std::collections::HashMap<&str, &str>) -> Option<String> {
        if let Some(value) = mapping.get(target) {
            return Some(value.to_string());
        }
        let props = self.spec.properties(target).ok()?;
        let prop_target = self.spec.target(props.get(prop)?).ok()?;
        if let Some(Value::Array(values)) = self.spec.object(&prop_target).and_then(|s| s.get("enum")) {
            if let [Value::String(only)] = values.as_slice() {
                return Some(only.clone());
            }
        }
        spec::component_name(target).filter(|_| mapping.is_empty())
    }

    /// Adds `pub type alias = target;` unless the name is taken; returns the name to use.
    pub(super) fn alias(&mut self, alias: &str, target: Ty, owner_ptr: &str) -> Ty {
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
        self.add_type(TypeDef {
            name: alias.to_string(),
            docs: None,
            deprecated: false,
            deprecation_note: None,
            kind: TypeKind::Alias(target),
        });
        Ty::Named(alias.to_string())
    }
}

pub(super) fn wrap_nullable(ty: Ty, nullable: bool) -> Ty {
    if nullable && !matches!(ty, Ty::Json | Ty::Option(_)) {
        Ty::Option(Box::new(ty))
    } else {
        ty
    }
}

/// The name of a union's inline variant, after the union's: the discriminator value, else the
/// schema's `title`, else what tells it apart (`Object`, `Map`, `List`, `String`, a lone enum
/// value, …); `Variant{i}` only when nothing does.
fn variant_suffix(schema: &serde_json::Map<String, Value>, tag_value: Option<&str>, i: usize) -> String {
    if let Some(tag) = tag_value.filter(|t| t.chars().any(|c| c.is_ascii_alphanumeric())) {
        return cap_suffix(camel(tag));
    }
    if let Some(title) = schema.get("title").and_then(Value::as_str).filter(|t| t.chars().any(|c| c.is_ascii_alphabetic())) {
        return cap_suffix(camel(title));
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return match values.as_slice() {
            [Value::String(v)] if v.is_empty() => "Empty".into(),
            [Value::String(v)] if v.chars().any(|c| c.is_ascii_alphabetic()) => cap_suffix(camel(v)),
            _ => "Enum".into(),
        };
    }
    // `allOf` with a `$ref`: the referenced schema's name (`SimpleUser`).
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        let referenced = parts.iter().filter_map(|p| p.get("$ref")?.as_str()).find_map(|r| r.rsplit('/').next().filter(|n| n.chars().any(|c| c.is_ascii_alphabetic())));
        return match referenced {
            Some(name) => cap_suffix(camel(name)),
            None => "Object".into(),
        };
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        // 3.1 `type: [x, "null"]`: the one that is not null.
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    let name = match ty {
        _ if schema.contains_key("properties") => "Object",
        Some("object") | None if schema.contains_key("additionalProperties") => "Map",
        Some("object") => "Object",
        Some("array") => "List",
        Some("string") => "String",
        Some("integer") => "Integer",
        Some("number") => "Number",
        Some("boolean") => "Bool",
        _ => return format!("Variant{i}"),
    };
    name.into()
}

/// A suffix from document text, cut to a readable length (the type name it ends is capped again
/// where it is claimed).
fn cap_suffix(mut s: String) -> String {
    const MAX_SUFFIX: usize = 48;
    if s.len() > MAX_SUFFIX {
        s.truncate(MAX_SUFFIX);
    }
    s
}

/// The doc line of a type without a description: the place it comes from, cut after 1,024
/// bytes (real documents' pointers are under 600), so a long schema name is not repeated whole
/// in the docs of every type nested under it.
fn generated_from(ptr: &str) -> String {
    const MAX: usize = 1024;
    if ptr.len() <= MAX {
        return format!("Generated from `#{ptr}`.");
    }
    format!("Generated from `#{}…` ({} bytes).", &ptr[..ptr.floor_char_boundary(MAX)], ptr.len())
}
