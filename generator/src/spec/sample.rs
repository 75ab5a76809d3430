//! Sample values for generated contract tests: a JSON value a schema accepts, taken from the
//! document's own `example` when that example fits the schema, else made from the schema
//! (`enum`, `default`, `format`, `pattern`, bounds and lengths, `items`, required
//! properties). Bounded in depth and size, so any document gives a small value or none.

use serde_json::{Map, Value};

use super::Spec;
use crate::locate::join;

/// How deep a made value nests (objects and arrays); deeper parts are left out.
const MAX_DEPTH: usize = 8;
/// How many characters a made string may have (a `pattern` repeated many times stops here).
const MAX_STRING: usize = 4096;
/// How many values one sample may hold in all.
const MAX_NODES: usize = 256;
/// How many schema checks one [`Spec::fits`] may make.
const MAX_FIT_STEPS: usize = 20_000;
/// Patterns longer than this are not compiled to check an example or make a string.
const MAX_PATTERN: usize = 2048;

/// One sample's state: the values it may still make, and whether objects get every property
/// a client sends or only the required ones.
struct Run {
    budget: usize,
    all: bool,
}

impl Spec<'_> {
    /// A value the schema at `ptr` accepts: its `example` (or the one written beside its
    /// `$ref`) when that fits, else one made from the schema. `None` when none can be made
    /// within the limits (a required property that nests deeper than [`MAX_DEPTH`]).
    pub fn sample(&self, ptr: &str) -> Option<Value> {
        self.sample_at(ptr, 0, &mut Run { budget: MAX_NODES, all: false })
    }

    /// A value of the schema at `ptr` with every property a client sends (not `readOnly` or
    /// `deprecated`), as a contract call with all arguments builds it, made from the schema:
    /// what [`Spec::fits`] checks before such a call fills a union's variant that way.
    pub fn full_sample(&self, ptr: &str) -> Option<Value> {
        self.sample_at(ptr, 0, &mut Run { budget: MAX_NODES, all: true })
    }

    /// A parameter's sample: its own `example` or first `examples` value when that fits its
    /// schema, else [`Spec::sample`] of the schema.
    pub fn parameter_sample(&self, param_ptr: &str) -> Option<Value> {
        let schema = join(param_ptr, "schema");
        let param = self.object(param_ptr)?;
        let written = param.get("example").cloned().or_else(|| {
            let examples = param.get("examples")?.as_object()?;
            examples.values().find_map(|e| {
                let e = e.as_object()?;
                match e.get("$ref").and_then(Value::as_str) {
                    Some(r) => self.get(&super::ref_to_pointer(r)?)?.get("value").cloned(),
                    None => e.get("value").cloned(),
                }
            })
        });
        let value = match written {
            Some(v) if !v.is_null() && self.fits(&schema, &v, 0) => Some(v),
            _ => self.sample(&schema),
        };
        // A union of one value or a list of them in the query: one value fits it too and is
        // the plainest thing to send, where a list's form (repeated pairs) is one a mock
        // checks against the union's parts only when it knows to collect them.
        let in_query = param.get("in").and_then(Value::as_str) == Some("query");
        if in_query && value.as_ref().is_some_and(Value::is_array) {
            if let Some(one) = self.scalar_part_sample(&schema) {
                return Some(one);
            }
        }
        value
    }

    /// A value of one of the union's parts at `ptr` that is not a list and fits the union.
    fn scalar_part_sample(&self, ptr: &str) -> Option<Value> {
        let target = self.target(ptr).ok()?;
        let schema = self.object(&target)?;
        if schema_type(schema) == "array" {
            return None;
        }
        ["oneOf", "anyOf"].into_iter().find_map(|key| {
            let n = schema.get(key)?.as_array()?.len();
            (0..n).find_map(|i| {
                self.sample(&format!("{target}/{key}/{i}")).filter(|v| !v.is_array() && self.fits(&target, v, 0))
            })
        })
    }

    fn sample_at(&self, ptr: &str, depth: usize, run: &mut Run) -> Option<Value> {
        if depth > MAX_DEPTH || run.budget == 0 {
            return None;
        }
        run.budget -= 1;
        let here = self.object(ptr)?;
        // An example written beside a `$ref` is about this use of the schema.
        let beside = here.get("example").filter(|_| here.contains_key("$ref"));
        let target = self.target(ptr).ok()?;
        let schema = self.object(&target)?;
        let written = beside
            .or_else(|| schema.get("example"))
            .or_else(|| schema.get("examples").and_then(Value::as_array).and_then(|a| a.first()))
            .or_else(|| schema.get("default"));
        // With every property wanted, an object's example (which may leave some out) is not enough.
        if let Some(v) = written.filter(|v| !(v.is_null() || (run.all && v.is_object()))) {
            if self.fits(&target, v, 0) {
                return Some(v.clone());
            }
        }
        if let Some(v) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.iter().find(|v| !v.is_null())) {
            return Some(v.clone());
        }
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            // Objects merge; anything else is the first part's value.
            let mut merged = Map::new();
            let mut first = None;
            for i in 0..parts.len() {
                match self.sample_at(&format!("{target}/allOf/{i}"), depth + 1, run) {
                    Some(Value::Object(o)) => merged.extend(o),
                    Some(other) if first.is_none() => first = Some(other),
                    _ => {}
                }
            }
            let own = self.own_sample(&target, schema, depth, run);
            if let Some(Value::Object(o)) = own {
                merged.extend(o);
            }
            return if merged.is_empty() { first } else { Some(Value::Object(merged)) };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(parts)) = schema.get(key) {
                // Parts that only add constraints (`required: [url]`) to an object schema
                // beside them: the object with the properties that part requires.
                if schema_type(schema) == "object" && parts.iter().all(is_fragment) {
                    return (0..parts.len()).find_map(|i| self.fragment_sample(&target, &format!("{target}/{key}/{i}"), depth, run));
                }
                // The first part's value that fits the whole union (a `oneOf` value must fit one
                // part only), else the first part's value.
                let mut first = None;
                for i in 0..parts.len() {
                    let Some(v) = self.sample_at(&format!("{target}/{key}/{i}"), depth + 1, run) else { continue };
                    if self.fits(&target, &v, 0) {
                        return Some(v);
                    }
                    first.get_or_insert(v);
                }
                return first;
            }
        }
        self.own_sample(&target, schema, depth, run)
    }

    /// The object schema at `ptr` sampled with the properties its constraint-only part at
    /// `part` requires as well.
    fn fragment_sample(&self, ptr: &str, part: &str, depth: usize, run: &mut Run) -> Option<Value> {
        let props = self.properties(ptr).ok()?;
        let extra: Vec<&str> = self.object(part)?.get("required").and_then(Value::as_array).map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let mut out = Map::new();
        for (name, p) in props.list.iter().filter(|(n, _)| props.required.contains(n) || extra.contains(&n.as_str())) {
            out.insert(name.clone(), self.sample_at(p, depth + 1, run)?);
        }
        Some(out.into())
    }

    /// A value made from the schema's own `type` and keywords.
    fn own_sample(&self, ptr: &str, schema: &Map<String, Value>, depth: usize, run: &mut Run) -> Option<Value> {
        let ty = schema_type(schema);
        Some(match ty {
            "string" => Value::String(string_sample(schema)?),
            "integer" => Value::from(integer_sample(schema)),
            "number" => serde_json::Number::from_f64(number_sample(schema)).map_or(Value::from(1), Value::Number),
            "boolean" => Value::Bool(true),
            "array" => {
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1);
                let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX);
                let n = min.min(max).min(4);
                let item = if schema.contains_key("items") { self.sample_at(&join(ptr, "items"), depth + 1, run)? } else { Value::String("value".into()) };
                Value::Array(vec![item; n as usize])
            }
            "object" => {
                let props = self.properties(ptr).ok()?;
                let mut out = Map::new();
                for (name, p) in &props.list {
                    if props.required.contains(name) {
                        out.insert(name.clone(), self.sample_at(p, depth + 1, run)?);
                    } else if run.all && self.deref(p).is_ok_and(|(_, m)| !m.read_only && !m.deprecated) {
                        if let Some(v) = self.sample_at(p, depth + 1, run) {
                            out.insert(name.clone(), v);
                        }
                    }
                }
                out.into()
            }
            _ => Value::String("value".into()),
        })
    }

    /// Whether `value` fits the schema at `ptr`, as far as these checks go: type, `enum`,
    /// lengths, `pattern`, common `format`s, bounds, items, required properties and no others
    /// where `additionalProperties` is `false`. A keyword it cannot judge (a pattern Rust's
    /// regex does not read) counts as met.
    pub fn fits(&self, ptr: &str, value: &Value, depth: usize) -> bool {
        let start = self.fit_steps.map_or(MAX_FIT_STEPS, |left| left.get().min(MAX_FIT_STEPS));
        let mut steps = start;
        // Out of steps, a part may have been counted as not fitting where it would: no answer.
        let fits = self.fits_at(ptr, value, depth, &mut steps) && steps > 0;
        if let Some(left) = self.fit_steps {
            left.set(left.get() - (start - steps));
        }
        fits
    }

    /// [`Spec::fits`] with `steps` left: unions inside unions check one value many times, so
    /// the work is bounded, and a value not judged within it does not fit.
    fn fits_at(&self, ptr: &str, value: &Value, depth: usize, steps: &mut usize) -> bool {
        if *steps == 0 {
            return false;
        }
        *steps -= 1;
        if depth > MAX_DEPTH {
            return true;
        }
        let Ok(target) = self.target(ptr) else { return false };
        let Some(schema) = self.object(&target) else { return true };
        if value.is_null() {
            return schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        }
        if let Some(Value::Array(e)) = schema.get("enum") {
            return e.contains(value);
        }
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            if !(0..parts.len()).all(|i| self.fits_at(&format!("{target}/allOf/{i}"), value, depth + 1, steps)) {
                return false;
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(parts)) = schema.get(key) {
                let matching = (0..parts.len()).filter(|i| self.fits_at(&format!("{target}/{key}/{i}"), value, depth + 1, steps)).count();
                if matching == 0 || (key == "oneOf" && matching > 1) {
                    return false;
                }
            }
        }
        let ty = schema_type(schema);
        match value {
            Value::String(s) => (ty == "string" || ty.is_empty()) && string_fits(schema, s),
            Value::Bool(_) => ty == "boolean" || ty.is_empty(),
            Value::Number(n) => {
                let Some(x) = n.as_f64() else { return false };
                let kind_ok = match ty {
                    "integer" => n.is_i64() || n.is_u64(),
                    "number" | "" => true,
                    _ => false,
                };
                kind_ok && number_fits(schema, x)
            }
            Value::Array(items) => {
                let count = items.len() as u64;
                (ty == "array" || ty.is_empty())
                    && schema.get("minItems").and_then(Value::as_u64).is_none_or(|m| count >= m)
                    && schema.get("maxItems").and_then(Value::as_u64).is_none_or(|m| count <= m)
                    && (!schema.contains_key("items") || items.iter().all(|v| self.fits_at(&join(&target, "items"), v, depth + 1, steps)))
            }
            Value::Object(o) => {
                if !(ty == "object" || ty.is_empty()) {
                    return false;
                }
                let Ok(props) = self.properties(&target) else { return false };
                let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
                (!closed || o.keys().all(|k| props.list.iter().any(|(n, _)| n == k)))
                    && props.required.iter().all(|r| o.contains_key(r))
                    && o.iter().all(|(k, v)| props.list.iter().find(|(n, _)| n == k).is_none_or(|(_, p)| self.fits_at(p, v, depth + 1, steps)))
            }
            Value::Null => true,
        }
    }
}

/// The schema's `type` (the first non-null one of a list), `object` when it has properties
/// and no type, else empty.
fn schema_type(schema: &Map<String, Value>) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or(""),
        _ if schema.contains_key("properties") => "object",
        _ => "",
    }
}

fn length_bounds(schema: &Map<String, Value>) -> (usize, usize) {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = schema.get("maxLength").and_then(Value::as_u64).unwrap_or(u64::MAX);
    (usize::try_from(min).unwrap_or(usize::MAX), usize::try_from(max).unwrap_or(usize::MAX))
}

fn pattern(schema: &Map<String, Value>) -> Option<&str> {
    schema.get("pattern").and_then(Value::as_str).filter(|p| p.len() <= MAX_PATTERN)
}

fn string_fits(schema: &Map<String, Value>, s: &str) -> bool {
    let (min, max) = length_bounds(schema);
    let n = s.chars().count();
    if n < min || n > max {
        return false;
    }
    if let Some(p) = pattern(schema) {
        if let Ok(re) = regex::RegexBuilder::new(p).size_limit(1 << 20).build() {
            if !re.is_match(s) {
                return false;
            }
        }
    }
    match schema.get("format").and_then(Value::as_str).unwrap_or("") {
        "uuid" => s.len() == 36 && s.chars().enumerate().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() }),
        "email" => s.contains('@') && !s.starts_with('@') && !s.ends_with('@'),
        "date-time" => s.len() >= 20 && s.as_bytes()[10] == b'T' && s[..10].bytes().filter(u8::is_ascii_digit).count() == 8,
        "date" => s.len() == 10 && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() }),
        "uri" | "url" => url::Url::parse(s).is_ok(),
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => true,
    }
}

fn number_fits(schema: &Map<String, Value>, x: f64) -> bool {
    let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
    let flag = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    let low = bound("minimum").is_none_or(|m| if flag("exclusiveMinimum") { x > m } else { x >= m });
    let high = bound("maximum").is_none_or(|m| if flag("exclusiveMaximum") { x < m } else { x <= m });
    // 3.1's numeric exclusive bounds, in case normalization left them.
    let low = low && bound("exclusiveMinimum").is_none_or(|m| x > m);
    let high = high && bound("exclusiveMaximum").is_none_or(|m| x < m);
    let multiple = bound("multipleOf").filter(|m| *m > 0.0).is_none_or(|m| ((x / m) - (x / m).round()).abs() < 1e-9);
    low && high && multiple
}

/// The lowest value the bounds allow near 1, a multiple of `multipleOf`.
fn number_sample(schema: &Map<String, Value>) -> f64 {
    let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
    let flag = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    let step = bound("multipleOf").filter(|m| *m > 0.0);
    let mut x = match bound("minimum").or(bound("exclusiveMinimum").filter(|_| !flag("exclusiveMinimum"))) {
        Some(m) => m + if flag("exclusiveMinimum") || schema.get("exclusiveMinimum").is_some_and(Value::is_number) { step.unwrap_or(1.0) } else { 0.0 },
        None => 1.0,
    };
    if let Some(m) = bound("maximum") {
        if x > m {
            x = m - if flag("exclusiveMaximum") { step.unwrap_or(1.0) } else { 0.0 };
        }
    }
    if let Some(s) = step {
        x = (x / s).ceil() * s;
    }
    x
}

fn integer_sample(schema: &Map<String, Value>) -> i64 {
    let x = number_sample(schema).ceil();
    if x.is_finite() && x.abs() < 9.0e15 {
        x as i64
    } else {
        1
    }
}

/// A string by `format`, else by `pattern`, fitted to the length bounds where no pattern
/// constrains it.
fn string_sample(schema: &Map<String, Value>) -> Option<String> {
    let (min, max) = length_bounds(schema);
    let by_format = match schema.get("format").and_then(Value::as_str).unwrap_or("") {
        "uuid" => Some("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        "date-time" => Some("2024-01-01T00:00:00Z"),
        "date" => Some("2024-01-01"),
        "time" => Some("12:00:00Z"),
        "email" => Some("user@example.com"),
        "uri" | "url" => Some("https://example.com/"),
        "uri-reference" => Some("/example"),
        "hostname" => Some("example.com"),
        "ipv4" => Some("192.0.2.1"),
        "ipv6" => Some("2001:db8::1"),
        "byte" => Some("ZGF0YQ=="),
        _ => None,
    };
    if let Some(s) = by_format {
        return Some(s.to_string());
    }
    if let Some(p) = pattern(schema) {
        if let Some(s) = from_pattern(p) {
            if s.chars().count() >= min && s.chars().count() <= max {
                return Some(s);
            }
        }
    }
    let mut s = String::from("string");
    while s.len() < min.min(MAX_STRING) {
        s.push('a');
    }
    s.truncate(max.min(s.len()));
    Some(s)
}

/// A string the pattern matches: the first choice of every alternation, the fewest
/// repetitions, a plain character from each class. `None` for a pattern Rust's regex syntax
/// does not read or whose match would exceed [`MAX_STRING`].
fn from_pattern(pattern: &str) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new().build().parse(pattern).ok()?;
    let mut out = String::new();
    write_hir(&hir, &mut out, 0).then_some(out)
}

fn write_hir(hir: &regex_syntax::hir::Hir, out: &mut String, depth: usize) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    if depth > 64 || out.len() > MAX_STRING {
        return false;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => {
                out.push_str(s);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(c)) => {
            let ranges = c.ranges();
            let has = |ch: char| ranges.iter().any(|r| r.start() <= ch && ch <= r.end());
            // A letter or digit reads better and passes more checks than the first code point.
            match ['a', '0', 'A'].into_iter().find(|&ch| has(ch)).or_else(|| ranges.iter().map(|r| r.start()).find(|c| !c.is_control())) {
                Some(ch) => {
                    out.push(ch);
                    true
                }
                None => false,
            }
        }
        HirKind::Class(Class::Bytes(c)) => match c.ranges().first().map(|r| r.start()).filter(u8::is_ascii) {
            Some(b) => {
                out.push(char::from(b));
                true
            }
            None => false,
        },
        HirKind::Repetition(r) => (0..r.min).all(|_| write_hir(&r.sub, out, depth + 1)),
        HirKind::Capture(c) => write_hir(&c.sub, out, depth + 1),
        HirKind::Concat(parts) => parts.iter().all(|p| write_hir(p, out, depth + 1)),
        HirKind::Alternation(parts) => parts.first().is_some_and(|p| write_hir(p, out, depth + 1)),
    }
}

/// A `oneOf`/`anyOf` part that names no type or schema of its own, only constraints such as
/// `required`.
fn is_fragment(part: &Value) -> bool {
    part.as_object().is_some_and(|p| !["type", "$ref", "properties", "items", "enum", "oneOf", "anyOf", "allOf"].iter().any(|k| p.contains_key(*k)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample_of(schema: Value) -> Option<Value> {
        let doc = json!({ "components": { "schemas": { "S": schema } } });
        Spec::from_value(&doc).sample("/components/schemas/S")
    }

    #[test]
    fn a_fitting_example_is_kept_and_a_wrong_one_replaced() {
        assert_eq!(sample_of(json!({"type": "string", "example": "ok"})), Some(json!("ok")));
        assert_eq!(sample_of(json!({"type": "string", "maxLength": 3, "example": "too long"})), Some(json!("str")));
        assert_eq!(sample_of(json!({"type": "integer", "minimum": 5, "example": 2})), Some(json!(5)));
        assert_eq!(sample_of(json!({"type": "string", "format": "uuid", "example": "nope"})), Some(json!("3fa85f64-5717-4562-b3fc-2c963f66afa6")));
    }

    #[test]
    fn patterns_and_bounds_are_met() {
        let s = sample_of(json!({"type": "string", "pattern": "^[a-f0-9]{32}$"})).unwrap();
        assert_eq!(s.as_str().unwrap().len(), 32);
        let s = sample_of(json!({"type": "string", "minLength": 10})).unwrap();
        assert_eq!(s.as_str().unwrap().len(), 10);
        assert_eq!(sample_of(json!({"type": "number", "exclusiveMinimum": true, "minimum": 0, "multipleOf": 0.5})), Some(json!(0.5)));
        assert_eq!(sample_of(json!({"type": "integer", "maximum": -3})), Some(json!(-3)));
        assert_eq!(sample_of(json!({"type": "array", "minItems": 2, "items": {"enum": ["x"]}})), Some(json!(["x", "x"])));
    }

    #[test]
    fn objects_get_their_required_properties_and_cycles_end() {
        let doc = json!({ "components": { "schemas": {
            "A": {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "boolean"}, "b": {"$ref": "#/components/schemas/A"}, "c": {"type": "string"}}},
            "B": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}, "self": {"$ref": "#/components/schemas/B"}}}
        } } });
        let spec = Spec::from_value(&doc);
        assert_eq!(spec.sample("/components/schemas/A"), None, "a required property that needs itself has no finite value");
        assert_eq!(spec.sample("/components/schemas/B"), Some(json!({"x": "string"})));
    }

    #[test]
    fn unions_nested_in_unions_are_judged_in_bounded_time() {
        // Ten parts a level, eight levels: ten to the eighth checks without a bound.
        let mut schemas = serde_json::Map::new();
        for level in 0..9 {
            let parts: Vec<Value> = (0..10).map(|_| json!({"$ref": format!("#/components/schemas/L{}", level + 1)})).collect();
            schemas.insert(format!("L{level}"), json!({"oneOf": parts}));
        }
        schemas.insert("L9".into(), json!({"type": "string"}));
        let doc = json!({"openapi": "3.0.3", "components": {"schemas": schemas}});
        let spec = Spec::from_value(&doc);
        let start = std::time::Instant::now();
        assert!(!spec.fits("/components/schemas/L0", &json!("x"), 0), "every part fits: not one `oneOf` part");
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
    }

    #[test]
    fn huge_patterns_are_cut_off() {
        assert_eq!(from_pattern("(a{1000}){1000}"), None);
        assert_eq!(from_pattern("^(foo|bar)-[0-9]+$").as_deref(), Some("foo-0"));
    }
}

