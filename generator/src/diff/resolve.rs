//! Schemas as the diff sees them: `$ref`s followed, `$ref` siblings applied, `allOf` flattened.
//!
//! The rules are the generator's (`build.rs`), so that what the diff compares is what the
//! generated Rust types are made of: a `$ref` is its target plus the flags written beside it
//! (`nullable`, `readOnly`, `writeOnly`, `deprecated`; validation keywords too, for the request
//! checks); `allOf: [X]` alone is X; any other `allOf` is a struct of every branch's properties
//! and then its own, where a property defined again replaces the earlier definition.
//!
//! A [`Norm`] is one level of a resolved schema. Its children (properties, items, …) are kept as
//! JSON pointers into the raw document ([`Child`]), evaluated on demand. Nothing of the raw tree
//! is copied; every evaluated node is memoized by its pointer, so a document is walked once
//! however often its components are referenced, and a recursive schema costs nothing extra.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::limits::MAX_SCHEMA_DEPTH;
use crate::locate;

/// The pointer(s) of a child schema (one; a list so that intersections can be added later).
pub(crate) type Child = Rc<Vec<String>>;

/// `additionalProperties`.
#[derive(Debug, Clone, Default)]
pub(crate) enum Additional {
    #[default]
    Absent,
    /// `true`, `false` or `{}`: no typed map (the generator emits no map for these).
    Untyped,
    Schema(Child),
}

/// Numeric and other validation keywords that narrow what is accepted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Constraints<'a> {
    pub max_length: Option<f64>,
    pub min_length: Option<f64>,
    pub maximum: Option<f64>,
    pub minimum: Option<f64>,
    pub exclusive_maximum: Option<bool>,
    pub exclusive_minimum: Option<bool>,
    pub max_items: Option<f64>,
    pub min_items: Option<f64>,
    pub unique_items: Option<bool>,
    pub max_properties: Option<f64>,
    pub min_properties: Option<f64>,
    pub pattern: Option<&'a str>,
    pub multiple_of: Option<f64>,
}

/// One level of a resolved schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct Norm<'a> {
    /// Identity for memoization and recursion: the pointer (or `&`-joined pointers) evaluated.
    pub key: Rc<str>,
    /// Where this schema is declared (a `$ref` without siblings points at its target).
    pub pointer: Rc<str>,
    pub ty: Option<&'a str>,
    pub format: Option<&'a str>,
    /// `nullable: true` (or `null` among the `enum` values) here or on the `$ref`s leading here.
    pub nullable: bool,
    pub enum_values: Option<&'a [Value]>,
    pub properties: IndexMap<&'a str, Child>,
    pub required: Vec<&'a str>,
    pub additional: Additional,
    pub items: Option<Child>,
    /// `oneOf` or `anyOf` alternatives (the diff treats both the same way).
    pub alternatives: Vec<Child>,
    pub alternatives_kw: Option<&'static str>,
    pub constraints: Constraints<'a>,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
    /// A `$ref` that could not be followed (external or dangling), as written.
    pub unresolved: Option<&'a str>,
    /// Reached through more levels than [`MAX_SCHEMA_DEPTH`]: not evaluated.
    pub too_deep: bool,
}

impl<'a> Norm<'a> {
    fn empty(ptr: &str) -> Norm<'a> {
        let key: Rc<str> = Rc::from(ptr);
        Norm {
            pointer: key.clone(),
            key,
            ..Norm::default()
        }
    }

    /// Whether null is accepted.
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }

    pub fn is_required(&self, name: &str) -> bool {
        self.required.contains(&name)
    }
}

/// Keys beside a `$ref` that do not change what the schema means to the client.
fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "$ref"
            | "description"
            | "title"
            | "example"
            | "examples"
            | "externalDocs"
            | "xml"
            | "default"
            | "$comment"
    ) || key.starts_with("x-")
}

/// `#/a/b` → `/a/b` (percent-decoded); `None` for a reference outside the document.
pub(crate) fn ref_to_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    if !fragment.contains('%') {
        return Some(fragment.to_string());
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Evaluates schemas of one document, memoized.
pub(crate) struct Resolver<'a> {
    pub root: &'a Value,
    memo: HashMap<String, Rc<Norm<'a>>>,
    busy: HashSet<String>,
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Value) -> Self {
        Resolver {
            root,
            memo: HashMap::new(),
            busy: HashSet::new(),
        }
    }

    pub fn get(&self, ptr: &str) -> Option<&'a Value> {
        locate::get(self.root, ptr)
    }

    /// Follows `$ref` on a non-schema object (parameter, request body, response, path item);
    /// answers the pointer of the object reached and the object. Siblings of such a `$ref` are
    /// ignored, as OpenAPI 3.0 says.
    pub fn deref(&self, ptr: &str) -> Option<(String, &'a Map<String, Value>)> {
        let mut ptr = ptr.to_string();
        for _ in 0..32 {
            let obj = self.get(&ptr)?.as_object()?;
            match obj.get("$ref").and_then(Value::as_str) {
                Some(r) => ptr = ref_to_pointer(r)?,
                None => return Some((ptr, obj)),
            }
        }
        None
    }

    /// The schema of a child (its first pointer; children have one today).
    pub fn node(&mut self, ptrs: &[String]) -> Rc<Norm<'a>> {
        match ptrs.first() {
            Some(p) => self.one(p),
            None => Rc::new(Norm::empty("(none)")),
        }
    }

    /// The schema at `ptr`.
    pub fn one(&mut self, ptr: &str) -> Rc<Norm<'a>> {
        if let Some(n) = self.memo.get(ptr) {
            return n.clone();
        }
        // Evaluating follows `$ref`s and `allOf` parts recursively; a document could chain
        // thousands of them and overflow the stack.
        if self.busy.len() >= MAX_SCHEMA_DEPTH {
            let mut n = Norm::empty(ptr);
            n.too_deep = true;
            return Rc::new(n);
        }
        if !self.busy.insert(ptr.to_string()) {
            // `A: {allOf: [$ref A]}` and the like: nothing more to learn.
            return Rc::new(Norm::empty(ptr));
        }
        let result = self.evaluate(ptr);
        self.busy.remove(ptr);
        self.memo.insert(ptr.to_string(), result.clone());
        result
    }

    fn evaluate(&mut self, ptr: &str) -> Rc<Norm<'a>> {
        let Some(Value::Object(m)) = self.get(ptr) else {
            return Rc::new(Norm::empty(ptr));
        };
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            let Some(target) = ref_to_pointer(r) else {
                let mut n = Norm::empty(ptr);
                n.unresolved = Some(r);
                n.key = Rc::from(format!("{ptr}|{r}").as_str());
                return Rc::new(n);
            };
            let t = self.one(&target);
            if m.keys().all(|k| is_annotation(k)) {
                return t;
            }
            // Like the generator: the target's shape, with the flags written beside the `$ref`.
            let mut n = (*t).clone();
            self.apply_meta(&mut n, m);
            return Rc::new(rekey(n, ptr));
        }
        if let Some(Value::Array(parts)) = m.get("allOf") {
            let own_props = m.get("properties").is_some();
            let all_of = locate::join(ptr, "allOf");
            if parts.len() == 1 && !own_props {
                // `allOf: [$ref X]` is X (plus the flags written here).
                let t = self.one(&format!("{all_of}/0"));
                if m.keys().all(|k| k == "allOf" || is_annotation(k)) {
                    return t;
                }
                let mut n = (*t).clone();
                self.apply_meta(&mut n, m);
                return Rc::new(rekey(n, ptr));
            }
            // Otherwise a struct of every branch's properties, then its own; a property defined
            // again later replaces the earlier definition (as the generator's `collect_props`).
            let mut n = Norm::empty(ptr);
            n.ty = Some("object");
            for i in 0..parts.len() {
                let b = self.one(&format!("{all_of}/{i}"));
                merge_struct(&mut n, &b);
            }
            let own = self.parse_own(m, ptr);
            merge_struct(&mut n, &own);
            self.apply_meta(&mut n, m);
            return Rc::new(n);
        }
        Rc::new(self.parse_own(m, ptr))
    }

    /// Flags read from a node on the way to a schema (a `$ref` with siblings, an `allOf`
    /// holder): `nullable` (or a `null` in `enum`), `readOnly`, `writeOnly` and `deprecated` add
    /// up; validation keywords written here take precedence.
    fn apply_meta(&mut self, n: &mut Norm<'a>, m: &'a Map<String, Value>) {
        let own = self.parse_own(m, &n.pointer.clone());
        n.nullable |= own.nullable;
        n.read_only |= own.read_only;
        n.write_only |= own.write_only;
        n.deprecated |= own.deprecated;
        let (c, o) = (&mut n.constraints, own.constraints);
        c.max_length = o.max_length.or(c.max_length);
        c.min_length = o.min_length.or(c.min_length);
        c.maximum = o.maximum.or(c.maximum);
        c.minimum = o.minimum.or(c.minimum);
        c.exclusive_maximum = o.exclusive_maximum.or(c.exclusive_maximum);
        c.exclusive_minimum = o.exclusive_minimum.or(c.exclusive_minimum);
        c.max_items = o.max_items.or(c.max_items);
        c.min_items = o.min_items.or(c.min_items);
        c.unique_items = o.unique_items.or(c.unique_items);
        c.max_properties = o.max_properties.or(c.max_properties);
        c.min_properties = o.min_properties.or(c.min_properties);
        c.pattern = o.pattern.or(c.pattern);
        c.multiple_of = o.multiple_of.or(c.multiple_of);
    }

    /// The keywords written on this object itself (not `$ref`, not `allOf`).
    fn parse_own(&mut self, m: &'a Map<String, Value>, ptr: &str) -> Norm<'a> {
        let mut n = Norm::empty(ptr);
        let num = |k: &str| m.get(k).and_then(Value::as_f64);
        let flag = |k: &str| m.get(k).and_then(Value::as_bool);
        n.ty = m.get("type").and_then(|t| match t {
            Value::String(s) => Some(s.as_str()),
            // Not OpenAPI 3.0, but be lenient: the first non-null type.
            Value::Array(a) => a.iter().filter_map(Value::as_str).find(|s| *s != "null"),
            _ => None,
        });
        n.format = m.get("format").and_then(Value::as_str);
        n.enum_values = m
            .get("enum")
            .and_then(Value::as_array)
            .map(|v| v.as_slice());
        n.nullable = flag("nullable") == Some(true)
            || n.enum_values.is_some_and(|v| v.iter().any(Value::is_null));
        if let Some(Value::Object(props)) = m.get("properties") {
            let base = locate::join(ptr, "properties");
            for name in props.keys() {
                n.properties
                    .insert(name.as_str(), Rc::new(vec![locate::join(&base, name)]));
            }
        }
        if let Some(Value::Array(req)) = m.get("required") {
            n.required = req.iter().filter_map(Value::as_str).collect();
        }
        n.additional = match m.get("additionalProperties") {
            None => Additional::Absent,
            Some(Value::Bool(_)) => Additional::Untyped,
            Some(Value::Object(o)) if o.is_empty() => Additional::Untyped,
            Some(_) => Additional::Schema(Rc::new(vec![locate::join(ptr, "additionalProperties")])),
        };
        if m.get("items").is_some_and(Value::is_object) {
            n.items = Some(Rc::new(vec![locate::join(ptr, "items")]));
        }
        for kw in ["oneOf", "anyOf"] {
            if let Some(Value::Array(alts)) = m.get(kw) {
                if n.alternatives.is_empty() {
                    let base = locate::join(ptr, kw);
                    n.alternatives = (0..alts.len())
                        .map(|i| Rc::new(vec![format!("{base}/{i}")]))
                        .collect();
                    n.alternatives_kw = Some(if kw == "oneOf" { "oneOf" } else { "anyOf" });
                }
            }
        }
        n.constraints = Constraints {
            max_length: num("maxLength"),
            min_length: num("minLength"),
            maximum: num("maximum"),
            minimum: num("minimum"),
            exclusive_maximum: flag("exclusiveMaximum"),
            exclusive_minimum: flag("exclusiveMinimum"),
            max_items: num("maxItems"),
            min_items: num("minItems"),
            unique_items: flag("uniqueItems"),
            max_properties: num("maxProperties"),
            min_properties: num("minProperties"),
            pattern: m.get("pattern").and_then(Value::as_str),
            multiple_of: num("multipleOf"),
        };
        n.read_only = flag("readOnly") == Some(true);
        n.write_only = flag("writeOnly") == Some(true);
        n.deprecated = flag("deprecated") == Some(true);
        n
    }
}

fn rekey<'a>(mut n: Norm<'a>, ptr: &str) -> Norm<'a> {
    let key: Rc<str> = Rc::from(ptr);
    n.key = key.clone();
    n.pointer = key;
    n
}

/// Adds `b`'s properties, required names and `additionalProperties` to the struct `into`.
fn merge_struct<'a>(into: &mut Norm<'a>, b: &Norm<'a>) {
    for (name, child) in &b.properties {
        into.properties.insert(name, child.clone());
    }
    for r in &b.required {
        if !into.required.contains(r) {
            into.required.push(r);
        }
    }
    if let Additional::Schema(_) = b.additional {
        into.additional = b.additional.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_siblings_and_all_of() {
        let doc = json!({
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]},
                "B": {"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"y": {"type": "integer"}}}]},
                "C": {"$ref": "#/components/schemas/A", "nullable": true},
                "D": {"$ref": "#/components/schemas/A", "description": "same as A"},
                "R": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/R"}}},
                "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]}
            }}
        });
        let mut r = Resolver::new(&doc);
        let b = r.one("/components/schemas/B");
        assert_eq!(b.properties.keys().copied().collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(b.required, ["x"]);
        assert_eq!(b.ty, Some("object"));
        let c = r.one("/components/schemas/C");
        assert!(c.is_nullable());
        assert_eq!(&*c.pointer, "/components/schemas/C");
        let d = r.one("/components/schemas/D");
        assert_eq!(&*d.key, "/components/schemas/A");
        let rr = r.one("/components/schemas/R");
        let next = r.node(&rr.properties["next"]);
        assert_eq!(next.key, rr.key);
        let l = r.one("/components/schemas/Loop");
        assert!(l.properties.is_empty());
        assert_eq!(ref_to_pointer("#/a%7Bb%7D"), Some("/a{b}".to_string()));
    }
}
