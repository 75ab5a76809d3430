//! Schemas as the diff sees them: `$ref`s followed, `$ref` siblings applied, `allOf` flattened.
//!
//! The rules are `spec`'s, the ones the generator builds its types by, so that what the diff
//! compares is what the generated Rust types are made of: `$ref` targets and the flags written
//! beside a `$ref` (`nullable`, `readOnly`, `writeOnly`, `deprecated`) come from [`Spec`] and
//! [`Meta`], a schema's Rust type from [`RustKind`], a struct's properties (`allOf` parts merged)
//! from [`Spec::properties`]. What the generator does not read, the diff adds here: the
//! validation keywords, for the request checks.
//!
//! A [`Norm`] is one level of a resolved schema. Its children (properties, items, …) are kept as
//! JSON pointers into the raw document ([`Child`]), evaluated on demand. Nothing of the raw tree
//! is copied; every evaluated node is memoized by its pointer, so a document is walked once
//! however often its components are referenced, and a recursive schema costs nothing extra.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::limits::MAX_SCHEMA_DEPTH;
use crate::locate;
use crate::spec::schema::has_properties;
use crate::spec::{Meta, RustHead, RustKind, Spec, SpecError};

/// The pointer(s) of a child schema (one; a list so that intersections can be added later).
pub(crate) type Child = Rc<Vec<String>>;

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
    /// The Rust type the generator makes of it.
    pub head: RustHead,
    pub ty: Option<&'a str>,
    pub format: Option<&'a str>,
    /// `nullable: true` (or `null` among the `enum` values) here or on the `$ref`s leading here.
    pub nullable: bool,
    pub enum_values: Option<&'a [Value]>,
    /// The properties, `allOf` parts merged, in the generator's order.
    pub properties: IndexMap<String, Child>,
    pub required: BTreeSet<String>,
    /// The `additionalProperties` schema: a map's values, or the map kept beside a struct's
    /// fields (`{}`, `true` and `false` make none).
    pub additional: Option<Child>,
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
        self.required.contains(name)
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

/// Evaluates schemas of one document, memoized.
pub(crate) struct Resolver<'a> {
    pub spec: Spec<'a>,
    memo: HashMap<String, Rc<Norm<'a>>>,
    busy: HashSet<String>,
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Value) -> Self {
        Resolver {
            spec: Spec::from_value(root),
            memo: HashMap::new(),
            busy: HashSet::new(),
        }
    }

    /// Follows `$ref` on a non-schema object (parameter, request body, response, path item);
    /// answers the pointer of the object reached and the object. Siblings of such a `$ref` are
    /// ignored, as OpenAPI 3.0 says. `None` where the generator would refuse the reference.
    pub fn deref(&self, ptr: &str) -> Option<(String, &'a Map<String, Value>)> {
        let target = self.spec.target(ptr).ok()?;
        let obj = self.spec.object(&target)?;
        Some((target, obj))
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
        // Evaluating follows `$ref`s and lone `allOf` parts recursively; a document could chain
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
        let Some(m) = self.spec.object(ptr) else {
            return Rc::new(Norm::empty(ptr));
        };
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            let Ok(target) = self.spec.ref_target(&locate::join(ptr, "$ref"), r) else {
                let mut n = Norm::empty(ptr);
                n.unresolved = Some(r);
                n.key = Rc::from(format!("{ptr}|{r}").as_str());
                return Rc::new(n);
            };
            let t = self.one(&target);
            return with_siblings(t, m, ptr, is_annotation);
        }
        let kind = RustKind::of(m);
        if kind == RustKind::LoneAllOf {
            // `allOf: [X]` alone is X (plus the flags written here).
            let t = self.one(&format!("{}/0", locate::join(ptr, "allOf")));
            return with_siblings(t, m, ptr, |k| k == "allOf" || is_annotation(k));
        }
        Rc::new(self.parse(m, ptr, kind))
    }

    /// A schema that is no `$ref` and no lone `allOf`.
    fn parse(&self, m: &'a Map<String, Value>, ptr: &str, kind: RustKind<'a>) -> Norm<'a> {
        let mut n = Norm::empty(ptr);
        n.head = kind.head().unwrap_or_default();
        n.ty = m.get("type").and_then(Value::as_str);
        n.format = m.get("format").and_then(Value::as_str);
        n.enum_values = m.get("enum").and_then(Value::as_array).map(Vec::as_slice);
        let meta = Meta::of(m);
        n.nullable = meta.nullable;
        n.read_only = meta.read_only;
        n.write_only = meta.write_only;
        n.deprecated = meta.deprecated;
        n.constraints = constraints(m);
        if has_properties(m) || m.contains_key("additionalProperties") {
            match self.spec.properties(ptr) {
                Ok(props) => {
                    n.properties = props.list.into_iter().map(|(name, p)| (name, Rc::new(vec![p]))).collect();
                    n.required = props.required;
                    n.additional = props.extra.map(|p| Rc::new(vec![p]));
                }
                Err(SpecError::TooDeep { .. }) => n.too_deep = true,
                // A part the generator refuses (a broken or circular `$ref`): no properties.
                Err(_) => {}
            }
        }
        if m.get("items").is_some_and(Value::is_object) {
            n.items = Some(Rc::new(vec![locate::join(ptr, "items")]));
        }
        if let RustKind::Union(kw) = kind {
            let count = m.get(kw).and_then(Value::as_array).map_or(0, Vec::len);
            let base = locate::join(ptr, kw);
            n.alternatives = (0..count).map(|i| Rc::new(vec![format!("{base}/{i}")])).collect();
            n.alternatives_kw = Some(kw);
        }
        n
    }
}

/// `t` as reached through the node `m` at `ptr` (a `$ref` or a lone `allOf`): `t` itself when
/// every other key of `m` is `ignorable`, else `t` with the flags and validation keywords
/// written on `m`, under `ptr`'s identity.
fn with_siblings<'a>(t: Rc<Norm<'a>>, m: &'a Map<String, Value>, ptr: &str, ignorable: impl Fn(&str) -> bool) -> Rc<Norm<'a>> {
    if m.keys().all(|k| ignorable(k)) {
        return t;
    }
    let mut n = (*t).clone();
    apply_meta(&mut n, m);
    Rc::new(rekey(n, ptr))
}

/// Flags read from a node on the way to a schema: `nullable` (or a `null` in `enum`),
/// `readOnly`, `writeOnly` and `deprecated` add up, as [`Meta`] has them; validation keywords
/// written here take precedence.
fn apply_meta<'a>(n: &mut Norm<'a>, m: &'a Map<String, Value>) {
    let meta = Meta::of(m);
    n.nullable |= meta.nullable;
    n.read_only |= meta.read_only;
    n.write_only |= meta.write_only;
    n.deprecated |= meta.deprecated;
    let (c, o) = (&mut n.constraints, constraints(m));
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

/// The validation keywords written on one node.
fn constraints(m: &Map<String, Value>) -> Constraints<'_> {
    let num = |k: &str| m.get(k).and_then(Value::as_f64);
    let flag = |k: &str| m.get(k).and_then(Value::as_bool);
    Constraints {
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
    }
}

fn rekey<'a>(mut n: Norm<'a>, ptr: &str) -> Norm<'a> {
    let key: Rc<str> = Rc::from(ptr);
    n.key = key.clone();
    n.pointer = key;
    n
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
        assert_eq!(b.properties.keys().map(String::as_str).collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(b.required.iter().map(String::as_str).collect::<Vec<_>>(), ["x"]);
        assert_eq!(b.head, RustHead::Struct);
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
    }
}

#[cfg(test)]
mod heads {
    use super::*;
    use serde_json::json;

    /// The head is the generator's type: these edge cases once had a reading of their own.
    #[test]
    fn heads_follow_the_generator() {
        let doc = json!({"components": {"schemas": {
            "AllOfNoProps": {"allOf": [{"type": "string"}, {"readOnly": true}]},
            "ItemsAndMap": {"items": {"type": "string"}, "additionalProperties": {"type": "string"}},
            "TypeList": {"type": ["string", "null"]},
            "Dangling": {"$ref": "#/components/schemas/Nowhere"}
        }}});
        let mut r = Resolver::new(&doc);
        let head = |r: &mut Resolver<'_>, name: &str| r.one(&format!("/components/schemas/{name}")).head;
        assert_eq!(head(&mut r, "AllOfNoProps"), RustHead::Struct);
        assert_eq!(head(&mut r, "ItemsAndMap"), RustHead::Vec);
        assert_eq!(head(&mut r, "TypeList"), RustHead::Json);
        let dangling = r.one("/components/schemas/Dangling");
        assert_eq!(dangling.unresolved, Some("#/components/schemas/Nowhere"));
    }
}
