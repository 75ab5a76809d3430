//! Random OpenAPI 3.0 documents and `codegen.yaml` configurations whose strings come from the
//! attack classes: quotes, newlines, code fences, comment and attribute delimiters, TOML table
//! headers, control and bidi characters, keywords, std and prelude names, `Client` method
//! names, names that collide after case conversion, very long names, empty strings, non-ASCII,
//! and payloads that write a marker file if they ever run as code.
//!
//! `document()` writes only what OpenAPI 3.0 allows (every `$ref` resolves, every path
//! parameter is in its template, no `in: body`, no boolean schemas), so nearly every document
//! reaches generation; `broken_document()` adds one deliberate defect to such a document.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

pub const QUOTES: &[&str] = &["\"", "'", "\\", "\\\"", "\"#", "\"##", "#\"", "'''", "\"\"\"", "`", "``", "\\u{41}", "\\n"];
pub const NEWLINES: &[&str] = &["\n", "\r\n", "\r", "\n\n", "\r\r", "\u{2028}", "\u{85}"];
pub const FENCES: &[&str] = &[
    "```", "```rust", "~~~", "~~~rust", "````", "    ```", "   ```", "> ```", "- ```", "1. ~~~", "  * ```rust",
    "```text", "```no_run", "```ignore", "```compile_fail",
];
pub const DELIMITERS: &[&str] = &[
    "*/", "/*", "//", "///", "//!", "#[", "#![", "]", "]]", "[[", "[target.'cfg(all())'.dependencies]", "[package]",
    "{{", "}}", "{%", "%}", "{#", "#}", "<!--", "-->", "$", "\\\\",
];
pub const CONTROLS: &[&str] = &[
    "\0", "\x1b[31m", "\x07", "\x08", "\t", "\x0b", "\x0c", "\x7f", "\u{202e}", "\u{202a}", "\u{202d}", "\u{2066}",
    "\u{2069}", "\u{200e}", "\u{200f}", "\u{61c}", "\u{feff}", "\u{200b}",
];
pub const KEYWORDS: &[&str] = &[
    "type", "fn", "match", "async", "await", "dyn", "gen", "try", "union", "macro_rules", "r#type", "_", "__", "self",
    "Self", "crate", "super", "true", "mod", "use", "impl", "where", "static",
];
pub const STD_NAMES: &[&str] = &[
    "Option", "String", "Vec", "BTreeMap", "HashMap", "Box", "From", "Into", "Result", "Default", "Some", "None", "Ok",
    "Err", "Send", "Sync", "Clone", "Debug", "Display", "Value", "serde", "serde_json", "std", "core", "alloc", "models",
    "resources", "Client", "ClientBuilder", "Error", "Request", "PageRequest", "Page", "str", "u8", "i64", "bool",
    "Serialize", "Deserialize", "PhantomData", "Cow", "Duration",
];
pub const CLIENT_METHODS: &[&str] = &[
    "new", "builder", "from_env", "base_url", "with_env", "build", "send", "clone", "fmt", "into_future", "auto_paging",
    "timeout", "send_with_response", "header", "max_retries",
];
pub const CASE_TWINS: &[&str] = &["fooBar", "foo_bar", "FooBar", "foo-bar", "FOO_BAR", "foo bar", "Foo.Bar", "foo__bar", "FOOBar", "foo_bar_"];
pub const TEXT: &[&str] = &[
    "", " ", "é", "名前", "Ωmega", "🦀", "ǅ", "https://x.test/a?b=1", "<script>", "&amp;", "[x](javascript:alert(1))",
    "2fa", "a/b", "~1", "%20", "\u{1F600}", "a.b.c", "..", "../..", "/etc/passwd", "C:\\x", "-", "0",
];

/// Where a payload that ran as code leaves its mark (checked by `robustness_compiles`).
pub const MARKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/robustness-check/MARKER");
/// A build script that writes the marker, for payloads that try to add `build = …` to a manifest.
pub const EVIL_BUILD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/robustness-check/evil_build.rs");

/// Strings that are harmless as text and do something if they become code, a doctest, TOML or
/// Markdown outside the place they were meant for.
pub fn payloads() -> Vec<String> {
    let run = |kind: &str| format!("std::fs::write(r\"{MARKER}\", \"{kind}\").unwrap();");
    let m = run("doc");
    let esc = run("attr").replace('\\', "\\\\").replace('"', "\\\"");
    vec![
        // A runnable doctest in prose, in every form CommonMark gives a code block.
        format!("\n```\n{m}\n```\n"),
        format!("\n~~~\n{m}\n~~~\n"),
        format!("\n```rust\n{m}\n```\n"),
        format!("\n````\n{m}\n````\n"),
        format!("\n   ```\n{m}\n   ```\n"),
        format!("\n> ```\n> {m}\n> ```\n"),
        format!("\n- ```\n  {m}\n  ```\n"),
        format!("\n1. ~~~\n   {m}\n   ~~~\n"),
        format!("x\r```\r{m}\r```\r"),
        format!("x\r\r    {m}\r"),
        format!("x\n\n    {m}\n"),
        format!("x\n\n\t{m}\n"),
        // Closing a fence the generator opened (README samples, doc examples), then a runnable one.
        format!("\n```\n\n```\n{m}\n```\n\n```text\n"),
        format!("\n~~~\n\n~~~\n{m}\n~~~\n\n~~~text\n"),
        // Out of a `//` or `//!` comment, a string literal or a doc attribute into Rust code.
        format!("\n//! ```\n//! {}\n//! ```\n", run("inner-doc")),
        format!("\n/// ```\n/// {}\n/// ```\npub struct Pwned;\n//", run("outer-doc")),
        format!("\";\n/// ```\n/// {}\n/// ```\npub const PWNED: &str = \"", run("str")),
        format!("\"#;\n/// ```\n/// {}\n/// ```\npub const PWNED: &str = r#\"", run("raw-str")),
        format!("\"]\n#[doc = \"```\"]\n#[doc = \"{esc}\"]\n#[doc = \"```\"]\n#[doc = \""),
        format!("*/\n/// ```\n/// {}\n/// ```\npub struct Pwned; /*", run("block-comment")),
        // Out of a TOML basic, literal or multi-line string into a `build = …` key.
        format!("\"\nbuild = \"{EVIL_BUILD}\"\nhomepage = \""),
        format!("\\\"\nbuild = \"{EVIL_BUILD}\"\nhomepage = \""),
        format!("'\nbuild = '{EVIL_BUILD}'\nhomepage = '"),
        format!("\"\"\"\nbuild = \"{EVIL_BUILD}\"\nhomepage = \"\"\""),
        // Templates must print values, never evaluate them.
        "{{ 7 * 7 }}{% for x in [1] %}{{ x }}{% endfor %}".to_string(),
    ]
}

/// One sample of an attack class (or a plain word, so names are not all hostile).
fn atom() -> BoxedStrategy<String> {
    let pick = |list: &'static [&'static str]| select(list).prop_map(str::to_string);
    prop_oneof![
        3 => pick(QUOTES),
        3 => pick(NEWLINES),
        3 => pick(FENCES),
        2 => pick(DELIMITERS),
        3 => pick(CONTROLS),
        3 => pick(KEYWORDS),
        4 => pick(STD_NAMES),
        3 => pick(CLIENT_METHODS),
        2 => pick(CASE_TWINS),
        3 => pick(TEXT),
        2 => select(payloads()),
        1 => prop_oneof![Just("a".repeat(300)), Just("LongName".repeat(40)), Just("é".repeat(300))],
        6 => "[a-zA-Z][a-zA-Z0-9_]{0,7}",
    ]
    .boxed()
}

/// A name or short string: one atom, or a few glued together (`Option`, `a\r```rust`, `"#]]`).
pub fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        3 => atom(),
        2 => prop::collection::vec(atom(), 2..4).prop_map(|v| v.concat()),
    ]
    .boxed()
}

/// A name for the configuration's `types` (`for_type`), `resource` and `method`, which must be
/// identifiers: mostly identifier-shaped names from the attack classes (keywords where they are
/// allowed, std and `Client` names, 320-character names), now and then any hostile string,
/// which must be refused with its place (the compiled sample allows a quarter of refusals).
fn config_name(for_type: bool) -> BoxedStrategy<String> {
    let pick = |list: &'static [&'static str]| select(list).prop_map(str::to_string);
    let keyword = if for_type { pick(STD_NAMES) } else { pick(KEYWORDS) };
    let ident = prop_oneof![
        keyword,
        pick(STD_NAMES),
        pick(CLIENT_METHODS),
        Just("LongName".repeat(40)),
        "[A-Za-z_][A-Za-z0-9_]{0,12}",
    ];
    prop_oneof![30 => ident, 1 => hostile()].boxed()
}

/// Prose: words and attacks over several lines, sometimes with a whole fenced block.
pub fn prose() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        4 => "[a-z]{1,8}".boxed(),
        4 => atom(),
        2 => select(&["\n", "\n\n", " ", "\r", "\r\n"][..]).prop_map(str::to_string).boxed(),
        1 => (select(FENCES), "[a-z ();]{0,12}").prop_map(|(f, body)| format!("\n{f}\n{body}\n{}\n", f.trim_start_matches(['>', '-', '*', '1', '.', ' ']).get(..3).unwrap_or("```"))).boxed(),
    ];
    prop::collection::vec(piece, 1..10).prop_map(|v| v.join(" ")).boxed()
}

/// A schema component name: any hostile string, with `#` and `%` (which a `$ref` would have to
/// percent-encode) replaced.
fn component_name() -> BoxedStrategy<String> {
    hostile().prop_map(|n| n.replace(['#', '%'], "_")).boxed()
}

/// A reference to the component the index picks, resolved by `resolve_refs` once the
/// document's component names are known (so no strategy depends on another's value, and
/// failing cases shrink well).
fn placeholder_ref(i: u32) -> Value {
    json!({"$ref": i})
}

/// Turns each placeholder reference into a `$ref` to a component, or into a string schema
/// when the document has no components.
fn resolve_refs(v: &mut Value, names: &[String]) {
    match v {
        Value::Object(o) => {
            if let Some(i) = o.get("$ref").and_then(Value::as_u64) {
                if names.is_empty() {
                    o.remove("$ref");
                    o.insert("type".into(), json!("string"));
                } else {
                    o.insert("$ref".into(), schema_ref(&names[i as usize % names.len()])["$ref"].clone());
                }
            }
            for child in o.values_mut() {
                resolve_refs(child, names);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| resolve_refs(c, names)),
        _ => {}
    }
}

/// `#/components/schemas/NAME` with RFC 6901 escapes.
pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{}", name.replace('~', "~0").replace('/', "~1"))})
}

fn with_docs(s: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (s, prop::option::weighted(0.4, prose()), prop::option::weighted(0.2, hostile()))
        .prop_map(|(mut s, description, title)| {
            if s.get("$ref").is_none() {
                if let Some(d) = description {
                    s["description"] = json!(d);
                }
                if let Some(t) = title {
                    s["title"] = json!(t);
                }
            }
            s
        })
        .boxed()
}

fn leaf() -> BoxedStrategy<Value> {
    let mut options: Vec<(u32, BoxedStrategy<Value>)> = vec![
        (3, (prop::option::weighted(0.3, hostile())).prop_map(|d| {
            let mut s = json!({"type": "string"});
            if let Some(d) = d {
                s["default"] = json!(d);
            }
            s
        }).boxed()),
        (1, Just(json!({"type": "string", "format": "date-time"})).boxed()),
        (2, Just(json!({"type": "integer", "format": "int32"})).boxed()),
        (1, Just(json!({"type": "integer", "enum": [1, 2]})).boxed()),
        (1, Just(json!({"type": "number"})).boxed()),
        (1, Just(json!({"type": "boolean", "default": true})).boxed()),
        (1, Just(json!({})).boxed()),
        (1, Just(json!({"type": "object"})).boxed()),
        (3, (prop::collection::vec(hostile(), 1..5), any::<bool>()).prop_map(|(values, nullable)| {
            let mut values: Vec<Value> = values.into_iter().map(Value::String).collect();
            if nullable {
                values.push(Value::Null);
            }
            json!({"type": "string", "enum": values, "nullable": nullable})
        }).boxed()),
    ];
    options.push((4, any::<u32>().prop_map(placeholder_ref).boxed()));
    options.push((1, (any::<u32>(), any::<bool>(), prose()).prop_map(|(i, nullable, d)| {
        let mut r = placeholder_ref(i);
        r["nullable"] = json!(nullable);
        r["description"] = json!(d);
        r
    }).boxed()));
    with_docs(proptest::strategy::Union::new_weighted(options).boxed())
}

/// A schema over the leaves above: arrays, objects with hostile property names, maps,
/// `allOf`/`oneOf`/`anyOf`, and discriminated unions of components.
pub fn schema() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(3, 24, 5, move |inner| {
            let mut options: Vec<(u32, BoxedStrategy<Value>)> = vec![
                (2, inner.clone().prop_map(|i| json!({"type": "array", "items": i})).boxed()),
                (
                    4,
                    (prop::collection::vec((hostile(), inner.clone()), 0..5), any::<prop::sample::Index>(), prop::option::weighted(0.2, inner.clone()))
                        .prop_map(|(props, req, extra)| {
                            let props = Map::from_iter(props);
                            let required: Vec<&String> = props.keys().enumerate().filter(|(i, _)| req.index(3) <= *i % 3).map(|(_, k)| k).collect();
                            let mut o = json!({"type": "object", "properties": props, "required": required});
                            if o["required"].as_array().is_some_and(Vec::is_empty) {
                                o.as_object_mut().unwrap().remove("required");
                            }
                            if let Some(e) = extra {
                                o["additionalProperties"] = e;
                            }
                            o
                        })
                        .boxed(),
                ),
                (1, prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"allOf": v})).boxed()),
                (1, prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"oneOf": v})).boxed()),
                (1, prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"anyOf": v})).boxed()),
                (1, inner.clone().prop_map(|i| json!({"type": "object", "additionalProperties": i})).boxed()),
            ];
            options.push((
                1,
                (prop::collection::vec(any::<u32>(), 1..3), hostile())
                    .prop_map(|(v, tag)| json!({"oneOf": v.into_iter().map(placeholder_ref).collect::<Vec<_>>(), "discriminator": {"propertyName": tag}}))
                    .boxed(),
            ));
            proptest::strategy::Union::new_weighted(options)
        })
        .boxed()
}

/// A path parameter name: anything but the template's own delimiters.
fn path_param_name() -> BoxedStrategy<String> {
    hostile().prop_map(|n| {
        let n = n.replace(['{', '}', '/'], "_");
        if n.is_empty() { "id".to_string() } else { n }
    }).boxed()
}

fn path_segment() -> BoxedStrategy<String> {
    prop_oneof![3 => "[a-z_]{1,8}".boxed(), 2 => hostile().prop_map(|s| s.replace(['{', '}', '/'], "_")).boxed()].boxed()
}

fn parameter() -> BoxedStrategy<Value> {
    (hostile(), select(&["query", "header", "cookie"][..]), any::<bool>(), schema(), prop::option::weighted(0.4, prose()))
        .prop_map(|(name, at, required, schema, description)| {
            let mut p = json!({"name": name, "in": at, "required": required, "schema": schema});
            if let Some(d) = description {
                p["description"] = json!(d);
            }
            p
        })
        .boxed()
}

fn operation() -> BoxedStrategy<Value> {
    (
        (prop::option::weighted(0.8, hostile()), prop::option::weighted(0.4, prose()), prop::option::weighted(0.4, prose())),
        (prop::collection::vec(hostile(), 0..2), prop::option::weighted(0.1, hostile()), prop::option::weighted(0.1, hostile()), any::<bool>()),
        prop::collection::vec(parameter(), 0..3),
        prop::option::weighted(0.4, schema()),
        (prop::option::weighted(0.8, schema()), select(&["200", "201", "204", "default"][..]), prose()),
    )
        .prop_map(|((id, summary, description), (tags, group, method_name, deprecated), params, body, (response, code, response_doc))| {
            let mut op = json!({"responses": {}});
            if let Some(id) = id {
                op["operationId"] = json!(id);
            }
            if let Some(s) = summary {
                op["summary"] = json!(s);
            }
            if let Some(d) = description {
                op["description"] = json!(d);
            }
            if !tags.is_empty() {
                op["tags"] = json!(tags);
            }
            if let Some(g) = group {
                op["x-fern-sdk-group-name"] = json!(g);
            }
            if let Some(m) = method_name {
                op["x-fern-sdk-method-name"] = json!(m);
            }
            if deprecated {
                op["deprecated"] = json!(true);
            }
            let mut seen = std::collections::BTreeSet::new();
            let params: Vec<Value> = params
                .into_iter()
                .filter(|p| seen.insert((p["name"].to_string(), p["in"].to_string())))
                .collect();
            if !params.is_empty() {
                op["parameters"] = Value::Array(params);
            }
            if let Some(s) = body {
                op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": s}}});
            }
            let mut r = json!({"description": response_doc});
            if let (Some(s), true) = (response, code != "204") {
                r["content"] = json!({"application/json": {"schema": s}});
            }
            op["responses"][code] = r;
            op
        })
        .boxed()
}

/// One path: a template built from its segments and parameters, and one to three operations.
fn path_item() -> BoxedStrategy<(String, Value)> {
    (
        prop::collection::vec((path_segment(), prop::option::weighted(0.4, path_param_name())), 1..3),
        prop::collection::vec((select(&["get", "post", "put", "delete", "patch"][..]), operation()), 1..3),
    )
        .prop_map(|(segments, ops)| {
            let mut path = String::new();
            let mut params = Vec::new();
            for (segment, param) in segments {
                path.push('/');
                path.push_str(&segment);
                if let Some(p) = param {
                    if !params.contains(&p) {
                        path.push_str("/{");
                        path.push_str(&p);
                        path.push('}');
                        params.push(p);
                    }
                }
            }
            let mut item = Map::new();
            for (method, mut op) in ops {
                if !params.is_empty() {
                    let mut list: Vec<Value> = params
                        .iter()
                        .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}, "description": format!("The {p}.")}))
                        .collect();
                    if let Some(Value::Array(rest)) = op.get("parameters") {
                        list.extend(rest.iter().cloned());
                    }
                    op["parameters"] = Value::Array(list);
                }
                item.insert(method.to_string(), op);
            }
            (path, Value::Object(item))
        })
        .boxed()
}

/// How big a document gets: the property tests use `FULL`, the compiled sample `SMALL`.
#[derive(Clone, Copy)]
pub struct Size {
    pub schemas: usize,
    pub paths: usize,
}

pub const FULL: Size = Size { schemas: 6, paths: 5 };
pub const SMALL: Size = Size { schemas: 4, paths: 3 };

/// `components.securitySchemes` of every kind, named (and with header, query, cookie and HTTP
/// scheme names) from the attack classes, and a top-level `security` list that uses them, or
/// names a scheme nobody declared.
fn security() -> BoxedStrategy<(Map<String, Value>, Vec<Value>)> {
    let scheme = (0u8..8, hostile(), prose()).prop_map(|(kind, text, description)| {
        let mut s = match kind {
            0 => json!({"type": "http", "scheme": "bearer"}),
            1 => json!({"type": "http", "scheme": "basic"}),
            2 => json!({"type": "http", "scheme": text}),
            3 => json!({"type": "apiKey", "in": "header", "name": text}),
            4 => json!({"type": "apiKey", "in": "query", "name": text}),
            5 => json!({"type": "apiKey", "in": "cookie", "name": text}),
            6 => json!({"type": "openIdConnect", "openIdConnectUrl": "https://id.example/.well-known/openid-configuration"}),
            _ => json!({"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://id.example/token", "scopes": {}}}}),
        };
        s["description"] = json!(description);
        s
    });
    let requirement = (prop::collection::vec(any::<prop::sample::Index>(), 0..3), hostile());
    (prop::collection::btree_map(hostile(), scheme, 0..4), prop::collection::vec(requirement, 0..3))
        .prop_map(|(schemes, requirements)| {
            let names: Vec<String> = schemes.keys().cloned().collect();
            let security = requirements
                .into_iter()
                .map(|(picks, stray)| {
                    let mut r = Map::new();
                    if names.is_empty() {
                        r.insert(stray, json!([]));
                    }
                    for pick in picks.iter().filter(|_| !names.is_empty()) {
                        r.insert(pick.get(&names).clone(), json!([]));
                    }
                    Value::Object(r)
                })
                .collect();
            (Map::from_iter(schemes), security)
        })
        .boxed()
}

/// A valid OpenAPI 3.0 document whose strings come from the attack classes.
pub fn document(size: Size) -> BoxedStrategy<Value> {
    (
        prop::collection::btree_map(component_name(), schema(), 0..size.schemas),
        prop::collection::vec(path_item(), 1..size.paths),
        (hostile(), prop::option::weighted(0.6, prose()), hostile()),
        prop::option::weighted(0.6, (hostile(), prose())),
        prop::collection::vec((hostile(), prose()), 0..2),
        security(),
    )
        .prop_map(|(components, paths, (title, description, version), server, tags, (schemes, security))| {
            let names: Vec<String> = components.keys().cloned().collect();
            let mut components: Vec<(String, Value)> = components.into_iter().collect();
            let mut paths: Vec<(String, Value)> = paths;
            for (_, v) in components.iter_mut().chain(paths.iter_mut()) {
                resolve_refs(v, &names);
            }
            // A component that is only a `$ref` to itself or to a later one could close an
            // alias cycle, which OpenAPI does not allow; it holds the reference in a property.
            let order: Vec<String> = components.iter().map(|(n, _)| n.clone()).collect();
            for (i, (_, schema)) in components.iter_mut().enumerate() {
                let target = schema.get("$ref").and_then(Value::as_str).map(str::to_string);
                if let Some(target) = target {
                    let later = order[i..].iter().any(|n| schema_ref(n)["$ref"] == target.as_str());
                    if later {
                        *schema = json!({"type": "object", "properties": {"next": schema.clone()}});
                    }
                }
            }
            let mut info = json!({"title": title, "version": version});
            if let Some(d) = description {
                info["description"] = json!(d);
            }
            let mut doc = json!({
                "openapi": "3.0.3",
                "info": info,
                "paths": Map::from_iter(paths),
                "components": {"schemas": Map::from_iter(components)},
            });
            if let Some((url, description)) = server {
                doc["servers"] = json!([{"url": url, "description": description}]);
            }
            if !tags.is_empty() {
                doc["tags"] = Value::Array(tags.into_iter().map(|(name, description)| json!({"name": name, "description": description})).collect());
            }
            if !schemes.is_empty() {
                doc["components"]["securitySchemes"] = Value::Object(schemes);
            }
            if !security.is_empty() {
                doc["security"] = Value::Array(security);
            }
            doc
        })
        .boxed()
}

/// A `codegen.yaml` as JSON (which YAML reads as well). `crate_identity` adds the crate name,
/// version and license, which cargo itself must accept for a crate to compile at all, so the
/// compiled sample leaves them out.
pub fn config(crate_identity: bool) -> BoxedStrategy<Value> {
    (
        (prop::option::weighted(0.5, prose()), prop::option::weighted(0.5, hostile()), prop::option::weighted(0.5, hostile())),
        (prop::option::weighted(0.3, hostile()), prop::option::weighted(0.3, hostile()), prop::option::weighted(0.3, hostile())),
        prop::collection::btree_map(hostile(), config_name(true), 0..3),
        prop::collection::btree_map(
            hostile(),
            (prop::option::of(prop::collection::vec(config_name(false), 1..4).prop_map(|v| v.join("."))), prop::option::of(config_name(false))),
            0..3,
        ),
    )
        .prop_map(move |((description, env_prefix, base_url), (name, version, license), types, operations)| {
            let mut krate = Map::new();
            let mut put = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    krate.insert(k.to_string(), json!(v));
                }
            };
            put("description", description);
            put("env_prefix", env_prefix);
            put("base_url", base_url);
            if crate_identity {
                put("name", name);
                put("version", version);
                put("license", license);
            }
            let operations: Map<String, Value> = operations
                .into_iter()
                .map(|(id, (resource, method))| {
                    let mut o = Map::new();
                    if let Some(r) = resource {
                        o.insert("resource".into(), json!(r));
                    }
                    if let Some(m) = method {
                        o.insert("method".into(), json!(m));
                    }
                    (id, Value::Object(o))
                })
                .collect();
            json!({"crate": krate, "types": types, "operations": operations})
        })
        .boxed()
}

/// JSON text that YAML reads back unchanged: DEL and every non-ASCII character escaped, since
/// YAML allows no raw DEL and YAML 1.1 readers take U+0085 and U+2028 for line breaks; and a
/// mapping key longer than YAML's 1,024-character limit for implicit keys written as an
/// explicit one (`? "key" : value`).
pub fn yaml_safe_json(value: &Value) -> String {
    let mut out = String::new();
    write_yaml_json(value, 0, &mut out);
    out
}

fn write_yaml_json(value: &Value, indent: usize, out: &mut String) {
    let ascii = |v: &Value| {
        let text = serde_json::to_string(v).expect("serialize");
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c as u32 {
                0..=0x7e => out.push(c),
                n @ 0x7f..=0xffff => out.push_str(&format!("\\u{n:04x}")),
                n => out.push_str(&format!("\\U{n:08x}")),
            }
        }
        out
    };
    let pad = |n: usize| " ".repeat(n);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                let key = ascii(&Value::String(k.clone()));
                out.push_str(&pad(indent + 2));
                if key.chars().count() > 1000 {
                    out.push_str(&format!("? {key} : "));
                } else {
                    out.push_str(&format!("{key}: "));
                }
                write_yaml_json(v, indent + 2, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad(indent + 2));
                write_yaml_json(v, indent + 2, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        other => out.push_str(&ascii(other)),
    }
}

/// One deliberate defect, each a way real documents are wrong.
pub fn broken_document() -> BoxedStrategy<(&'static str, Value)> {
    (document(SMALL), 0..10usize, hostile())
        .prop_map(|(mut doc, which, s)| {
            let label = match which {
                0 => {
                    if let Some(op) = first_op(&mut doc) {
                        op["parameters"] = json!([{"name": s, "in": "body", "schema": {"type": "string"}}]);
                    }
                    "parameter `in: body` (Swagger 2.0 only)"
                }
                1 => {
                    doc["components"]["schemas"]["Bool"] = json!(true);
                    "boolean schema (OpenAPI 3.1 only)"
                }
                2 => {
                    doc["components"]["schemas"]["Dangling"] = json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{s}-missing")}});
                    set_response(&mut doc, json!({"$ref": "#/components/schemas/Dangling"}));
                    "`$ref` to nothing"
                }
                3 => {
                    set_response(&mut doc, json!({"$ref": format!("other.yaml#/{s}")}));
                    "`$ref` to another file"
                }
                4 => {
                    doc["components"]["schemas"]["A"] = json!({"$ref": "#/components/schemas/B"});
                    doc["components"]["schemas"]["B"] = json!({"$ref": "#/components/schemas/A"});
                    set_response(&mut doc, json!({"$ref": "#/components/schemas/A"}));
                    "circular `$ref` alias"
                }
                5 => {
                    set_response(&mut doc, json!({"$ref": 7}));
                    "`$ref` that is not a string"
                }
                6 => {
                    doc["openapi"] = json!(s);
                    "`openapi` version"
                }
                7 => {
                    doc.as_object_mut().unwrap().remove("info");
                    "no `info`"
                }
                8 => {
                    set_response(&mut doc, json!({"type": s}));
                    "unknown schema `type`"
                }
                _ => {
                    set_response(&mut doc, json!({"$ref": "#/paths"}));
                    "`$ref` to something that is not a schema"
                }
            };
            (label, doc)
        })
        .boxed()
}

/// The first operation of the first path.
fn first_op(doc: &mut Value) -> Option<&mut Value> {
    let item = doc.get_mut("paths")?.as_object_mut()?.values_mut().next()?;
    item.as_object_mut()?.values_mut().next()
}

/// Makes the first operation's response use `schema`.
fn set_response(doc: &mut Value, schema: Value) {
    if let Some(op) = first_op(doc) {
        op["responses"] = json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}});
    }
}

/// Changes to a document's tree: a node replaced by another kind of value, a key dropped or
/// renamed. The result may be valid or not; the point is what the generator does with it.
pub fn tree_edits() -> BoxedStrategy<Vec<(prop::sample::Index, u8, String)>> {
    prop::collection::vec((any::<prop::sample::Index>(), 0..6u8, hostile()), 1..4).boxed()
}

pub fn apply_edit(doc: &mut Value, at: prop::sample::Index, what: u8, s: String) {
    let mut pointers = Vec::new();
    collect_pointers(doc, String::new(), &mut pointers);
    if pointers.is_empty() {
        return;
    }
    let target = &pointers[at.index(pointers.len())];
    let (parent, key) = target.rsplit_once('/').unwrap_or(("", ""));
    let key = key.replace("~1", "/").replace("~0", "~");
    let Some(node) = doc.pointer_mut(parent) else { return };
    let slot = match node {
        Value::Object(o) => match what {
            0 => {
                o.remove(&key);
                return;
            }
            1 => {
                if let Some(v) = o.remove(&key) {
                    o.insert(s, v);
                }
                return;
            }
            _ => o.get_mut(&key),
        },
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    };
    if let Some(slot) = slot {
        *slot = match what {
            2 => Value::String(s),
            3 => json!(-1),
            4 => Value::Null,
            _ => json!([s]),
        };
    }
}

fn collect_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                collect_pointers(child, p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                collect_pointers(child, p, out);
            }
        }
        _ => {}
    }
}

/// The same document written as OpenAPI 3.1: `openapi: 3.1.0`, `nullable` as a `"null"` type
/// (beside a `$ref`, an `anyOf` with `{type: "null"}`); values (examples, defaults, enums,
/// extensions) are left as they are.
pub fn as_3_1(mut doc: Value) -> Value {
    fn walk(v: &mut Value, depth: usize) {
        if depth > 200 {
            return;
        }
        match v {
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, depth + 1)),
            Value::Object(m) => {
                match m.remove("nullable") {
                    Some(Value::Bool(true)) => match (m.get("type").cloned(), m.remove("$ref")) {
                        (_, Some(r)) => {
                            m.insert("anyOf".into(), json!([{"$ref": r}, {"type": "null"}]));
                        }
                        (Some(Value::String(t)), None) => {
                            m.insert("type".into(), json!([t, "null"]));
                        }
                        _ => {
                            m.insert("nullable".into(), json!(true));
                        }
                    },
                    Some(Value::Bool(false)) | None => {}
                    Some(other) => {
                        m.insert("nullable".into(), other);
                    }
                }
                for (k, child) in m.iter_mut() {
                    if !matches!(k.as_str(), "example" | "default" | "enum" | "examples")
                        && !k.starts_with("x-")
                    {
                        walk(child, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
    walk(&mut doc, 0);
    doc["openapi"] = json!("3.1.0");
    doc
}

/// The same document written as Swagger 2.0: `definitions` for the schemas (and their `$ref`s),
/// `x-nullable`, parameters with their schema's `type` (a schema 2.0 parameters cannot carry
/// becomes `type: string`; cookie parameters, which 2.0 lacks, go), request bodies as `in: body`
/// parameters, response `content` as `schema`, security schemes as 2.0 security definitions
/// (kinds 2.0 lacks as an API key header). Servers are left out.
pub fn as_2_0(doc: Value) -> Value {
    fn schema(v: &mut Value, depth: usize) {
        if depth > 200 {
            return;
        }
        match v {
            Value::Array(items) => items.iter_mut().for_each(|i| schema(i, depth + 1)),
            Value::Object(m) => {
                if let Some(n) = m.remove("nullable") {
                    m.insert("x-nullable".into(), n);
                }
                if let Some(name) = m.get("discriminator").and_then(|d| d.get("propertyName")).cloned() {
                    m.insert("discriminator".into(), name);
                }
                if let Some(Value::String(r)) = m.get_mut("$ref") {
                    *r = r.replacen("#/components/schemas/", "#/definitions/", 1);
                }
                for (k, child) in m.iter_mut() {
                    if !matches!(k.as_str(), "example" | "default" | "enum") && !k.starts_with("x-") {
                        schema(child, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
    fn parameter(mut p: Value) -> Option<Value> {
        if p["in"] == "cookie" {
            return None;
        }
        let s = p.as_object_mut()?.remove("schema").unwrap_or(json!({}));
        let simple = matches!(s.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"));
        let m = p.as_object_mut()?;
        if simple {
            for key in ["type", "format", "enum", "default", "minimum", "maximum", "maxLength", "minLength", "pattern"] {
                if let Some(v) = s.get(key) {
                    m.insert(key.into(), v.clone());
                }
            }
        } else {
            m.insert("type".into(), json!("string"));
        }
        Some(p)
    }
    let mut out = json!({"swagger": "2.0", "info": doc["info"].clone(), "paths": {}});
    let mut definitions = doc.pointer("/components/schemas").cloned().unwrap_or(json!({}));
    schema(&mut definitions, 0);
    out["definitions"] = definitions;
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let mut item = item.clone();
        for (_, op) in item.as_object_mut().into_iter().flatten() {
            let Some(op) = op.as_object_mut() else { continue };
            let mut params: Vec<Value> = op.remove("parameters").and_then(|p| p.as_array().cloned()).unwrap_or_default().into_iter().filter_map(parameter).collect();
            if let Some(mut s) = op.remove("requestBody").and_then(|b| b.pointer("/content/application~1json/schema").cloned()) {
                schema(&mut s, 0);
                params.push(json!({"name": "body", "in": "body", "required": true, "schema": s}));
            }
            if !params.is_empty() {
                op.insert("parameters".into(), Value::Array(params));
            }
            for (_, r) in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
                if let Some(mut s) = r.as_object_mut().and_then(|r| r.remove("content")).and_then(|c| c.pointer("/application~1json/schema").cloned()) {
                    schema(&mut s, 0);
                    r["schema"] = s;
                }
            }
        }
        out["paths"][path] = item;
    }
    if let Some(schemes) = doc.pointer("/components/securitySchemes").and_then(Value::as_object) {
        let defs: Map<String, Value> = schemes
            .iter()
            .map(|(name, s)| {
                let def = match (s["type"].as_str(), s["scheme"].as_str(), s["in"].as_str()) {
                    (Some("http"), Some("basic"), _) => json!({"type": "basic"}),
                    (Some("apiKey"), _, Some(at @ ("header" | "query"))) => json!({"type": "apiKey", "in": at, "name": s["name"]}),
                    (Some("oauth2"), _, _) => json!({"type": "oauth2", "flow": "application", "tokenUrl": "https://id.example/token", "scopes": {}}),
                    _ => json!({"type": "apiKey", "in": "header", "name": "Authorization"}),
                };
                (name.clone(), def)
            })
            .collect();
        out["securityDefinitions"] = Value::Object(defs);
    }
    if let Some(security) = doc.get("security") {
        out["security"] = security.clone();
    }
    if let Some(tags) = doc.get("tags") {
        out["tags"] = tags.clone();
    }
    out
}
