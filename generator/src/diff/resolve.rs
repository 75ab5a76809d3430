//! Schemas as the diff sees them: `$ref`s followed, `$ref` siblings overlaid, `allOf` flattened.
//!
//! A [`Norm`] is one level of a resolved schema. Its children (properties, items, …) are kept as
//! lists of JSON pointers into the raw document ([`Child`]): a child defined in several `allOf`
//! branches is the intersection of all of them, evaluated on demand. Nothing of the raw tree is
//! copied; every evaluated node is memoized by its pointer(s), so a document is walked once
//! however often its components are referenced, and a recursive schema costs nothing extra.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::locate;

/// Pointers to schema objects whose intersection is the child schema (usually just one).
pub(crate) type Child = Rc<Vec<String>>;

/// `additionalProperties`.
#[derive(Debug, Clone, Default)]
pub(crate) enum Additional {
    #[default]
    Absent,
    Bool(bool),
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
    /// `nullable` as written (merged).
    pub nullable_kw: Option<bool>,
    /// Some `allOf` branch has a `type` and is not nullable, so null is not accepted.
    pub forbids_null: bool,
    pub enum_values: Option<&'a [Value]>,
    pub properties: IndexMap<&'a str, Child>,
    pub required: Vec<&'a str>,
    pub additional: Additional,
    pub items: Option<Child>,
    /// `oneOf` or `anyOf` alternatives (the diff treats both the same way).
    pub alternatives: Vec<Child>,
    pub alternatives_kw: Option<&'static str>,
    pub constraints: Constraints<'a>,
    pub read_only: Option<bool>,
    pub write_only: Option<bool>,
    pub deprecated: Option<bool>,
    /// A `$ref` that could not be followed (external or dangling), as written.
    pub unresolved: Option<&'a str>,
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
        self.nullable_kw == Some(true) && !self.forbids_null
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

    /// The intersection of the schemas at `ptrs`.
    pub fn node(&mut self, ptrs: &[String]) -> Rc<Norm<'a>> {
        match ptrs {
            [] => Rc::new(Norm::empty("")),
            [one] => self.one(one),
            many => {
                let key = many.join("&");
                if let Some(n) = self.memo.get(&key) {
                    return n.clone();
                }
                let mut acc = (*self.one(&many[0])).clone();
                for p in &many[1..] {
                    let b = self.one(p);
                    acc = self.intersect(acc, &b);
                }
                acc.key = Rc::from(key.as_str());
                let rc = Rc::new(acc);
                self.memo.insert(key, rc.clone());
                rc
            }
        }
    }

    /// The schema at `ptr`.
    pub fn one(&mut self, ptr: &str) -> Rc<Norm<'a>> {
        if let Some(n) = self.memo.get(ptr) {
            return n.clone();
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
        let mut base: Option<Norm<'a>> = None;
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            match ref_to_pointer(r) {
                Some(target) => {
                    let t = self.one(&target);
                    if m.keys().all(|k| is_annotation(k)) {
                        return t;
                    }
                    base = Some((*t).clone());
                }
                None => {
                    let mut n = Norm::empty(ptr);
                    n.unresolved = Some(r);
                    n.key = Rc::from(format!("{ptr}|{r}").as_str());
                    return Rc::new(n);
                }
            }
        }
        if let Some(Value::Array(branches)) = m.get("allOf") {
            let all_of = locate::join(ptr, "allOf");
            for i in 0..branches.len() {
                let b = self.one(&format!("{all_of}/{i}"));
                base = Some(match base {
                    None => (*b).clone(),
                    Some(a) => self.intersect(a, &b),
                });
            }
        }
        let own = self.parse_own(m, ptr);
        let mut n = match base {
            None => own,
            Some(b) => self.overlay(b, own),
        };
        let key: Rc<str> = Rc::from(ptr);
        n.key = key.clone();
        n.pointer = key;
        Rc::new(n)
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
        n.nullable_kw = flag("nullable");
        n.forbids_null = n.ty.is_some() && n.nullable_kw != Some(true);
        n.enum_values = m.get("enum").and_then(Value::as_array).map(|v| v.as_slice());
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
            Some(Value::Bool(b)) => Additional::Bool(*b),
            Some(Value::Object(o)) if o.is_empty() => Additional::Bool(true),
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
        n.read_only = flag("readOnly");
        n.write_only = flag("writeOnly");
        n.deprecated = flag("deprecated");
        n
    }

    /// `base` with the keywords written beside it (`$ref` siblings, or the keywords of an `allOf`
    /// holder) taking precedence; structure (properties, items) is combined.
    fn overlay(&mut self, base: Norm<'a>, own: Norm<'a>) -> Norm<'a> {
        let mut n = base;
        n.ty = own.ty.or(n.ty);
        n.format = own.format.or(n.format);
        if own.nullable_kw.is_some() {
            n.nullable_kw = own.nullable_kw;
            n.forbids_null = own.nullable_kw != Some(true) && n.ty.is_some();
        } else if own.ty.is_some() && n.nullable_kw != Some(true) {
            n.forbids_null = true;
        }
        n.enum_values = own.enum_values.or(n.enum_values);
        merge_properties(&mut n.properties, own.properties);
        union_required(&mut n.required, own.required);
        n.additional = match (n.additional, own.additional) {
            (a, Additional::Absent) => a,
            (Additional::Schema(a), Additional::Schema(b)) => Additional::Schema(concat(&a, &b)),
            (_, b) => b,
        };
        n.items = match (n.items, own.items) {
            (Some(a), Some(b)) => Some(concat(&a, &b)),
            (a, b) => b.or(a),
        };
        if !own.alternatives.is_empty() {
            n.alternatives = own.alternatives;
            n.alternatives_kw = own.alternatives_kw;
        }
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
        n.read_only = own.read_only.or(n.read_only);
        n.write_only = own.write_only.or(n.write_only);
        n.deprecated = own.deprecated.or(n.deprecated);
        self.settle_alternatives(n)
    }

    /// `allOf`: both must hold.
    fn intersect(&mut self, a: Norm<'a>, b: &Norm<'a>) -> Norm<'a> {
        let mut n = a;
        n.ty = match (n.ty, b.ty) {
            (Some("number"), Some("integer")) => Some("integer"),
            (Some(x), _) => Some(x),
            (None, y) => y,
        };
        n.format = n.format.or(b.format);
        n.nullable_kw = if n.nullable_kw == Some(true) || b.nullable_kw == Some(true) {
            Some(true)
        } else {
            n.nullable_kw.or(b.nullable_kw)
        };
        n.forbids_null = n.forbids_null || b.forbids_null;
        n.enum_values = n.enum_values.or(b.enum_values);
        merge_properties(&mut n.properties, b.properties.clone());
        union_required(&mut n.required, b.required.clone());
        n.additional = match (n.additional, &b.additional) {
            (Additional::Schema(x), Additional::Schema(y)) => Additional::Schema(concat(&x, y)),
            (Additional::Bool(false), _) | (_, Additional::Bool(false)) => Additional::Bool(false),
            (Additional::Absent, y) => y.clone(),
            (x, _) => x,
        };
        n.items = match (n.items, &b.items) {
            (Some(x), Some(y)) => Some(concat(&x, y)),
            (x, y) => x.or_else(|| y.clone()),
        };
        if n.alternatives.is_empty() && !b.alternatives.is_empty() {
            n.alternatives = b.alternatives.clone();
            n.alternatives_kw = b.alternatives_kw;
        }
        let (c, o) = (&mut n.constraints, &b.constraints);
        c.max_length = min_opt(c.max_length, o.max_length);
        c.min_length = max_opt(c.min_length, o.min_length);
        c.maximum = min_opt(c.maximum, o.maximum);
        c.minimum = max_opt(c.minimum, o.minimum);
        c.exclusive_maximum = c.exclusive_maximum.or(o.exclusive_maximum);
        c.exclusive_minimum = c.exclusive_minimum.or(o.exclusive_minimum);
        c.max_items = min_opt(c.max_items, o.max_items);
        c.min_items = max_opt(c.min_items, o.min_items);
        c.unique_items = c.unique_items.or(o.unique_items);
        c.max_properties = min_opt(c.max_properties, o.max_properties);
        c.min_properties = max_opt(c.min_properties, o.min_properties);
        c.pattern = c.pattern.or(o.pattern);
        c.multiple_of = c.multiple_of.or(o.multiple_of);
        n.read_only = n.read_only.or(b.read_only);
        n.write_only = n.write_only.or(b.write_only);
        n.deprecated = n.deprecated.or(b.deprecated);
        n.unresolved = n.unresolved.or(b.unresolved);
        self.settle_alternatives(n)
    }

    /// `allOf: [{anyOf: [object, string]}, {type: object, …}]` is the object: when the schema
    /// already has a type, alternatives of another type are dropped, and a single remaining
    /// alternative is merged in.
    fn settle_alternatives(&mut self, n: Norm<'a>) -> Norm<'a> {
        if n.alternatives.is_empty() || (n.ty.is_none() && n.properties.is_empty()) {
            return n;
        }
        let ty = n.ty.unwrap_or("object");
        let mut keep = Vec::new();
        for alt in &n.alternatives {
            let a = self.node(alt);
            let compatible = match a.ty {
                None => true,
                Some(t) => t == ty || matches!((t, ty), ("integer", "number") | ("number", "integer")),
            };
            if compatible {
                keep.push(a);
            }
        }
        if keep.len() != 1 {
            return n;
        }
        let mut m = n;
        m.alternatives = Vec::new();
        m.alternatives_kw = None;
        let alt = keep.pop().expect("one alternative");
        self.intersect(m, &alt)
    }
}

fn concat(a: &Child, b: &Child) -> Child {
    let mut v = Vec::with_capacity(a.len() + b.len());
    v.extend(a.iter().cloned());
    for p in b.iter() {
        if !v.contains(p) {
            v.push(p.clone());
        }
    }
    Rc::new(v)
}

fn merge_properties<'a>(into: &mut IndexMap<&'a str, Child>, from: IndexMap<&'a str, Child>) {
    for (name, child) in from {
        match into.get_mut(name) {
            Some(existing) => *existing = concat(existing, &child),
            None => {
                into.insert(name, child);
            }
        }
    }
}

fn union_required<'a>(into: &mut Vec<&'a str>, from: Vec<&'a str>) {
    for r in from {
        if !into.contains(&r) {
            into.push(r);
        }
    }
}

fn min_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
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
