//! Property tests over load → generate: random OpenAPI 3.0 documents built from the constructs
//! real documents use (refs that resolve, dangle or loop; allOf/oneOf/anyOf; enums of mixed
//! values; maps; awkward names) must never panic — they generate, or fail with an error that
//! names the file. A second property feeds mutated bytes of a valid document to the loader.
//!
//! The default run is short (`cargo test`); the documented long run is
//! `PROPTEST_CASES=20000 cargo test --release -p openapi-rustgen --test robustness`.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

const NAMES: &[&str] = &[
    "A", "B", "Pet", "pet", "self", "Self", "type", "crate", "super", "2fa", "é", "名前", "",
    "foo_bar", "fooBar", "FOO-BAR", "Other", "r#x", "a/b", "~1", "with space",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NAMES).prop_map(str::to_string),
        "[a-zA-Z0-9_ .-]{0,8}",
    ]
}

fn component_ref() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(&NAMES[..6]).prop_map(|n| json!({"$ref": format!("#/components/schemas/{n}")})),
        1 => Just(json!({"$ref": "#/components/schemas/Missing"})),
        1 => Just(json!({"$ref": "other.yaml#/X"})),
        1 => Just(json!({"$ref": "#/paths"})),
        1 => Just(json!({"$ref": 7})),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "string", "format": "date-time"})),
        Just(json!({"type": "integer", "format": "int32"})),
        Just(json!({"type": "integer", "enum": [1, 2, null]})),
        Just(json!({"type": "number"})),
        Just(json!({"type": "boolean", "enum": [true]})),
        Just(json!({"type": "weird"})),
        Just(json!({})),
        Just(json!(true)),
        Just(json!({"type": "object"})),
        Just(json!({"nullable": true})),
        prop::collection::vec(prop_oneof![name().prop_map(Value::String), Just(Value::Null), Just(json!(3))], 0..4)
            .prop_map(|v| json!({"type": "string", "enum": v})),
        component_ref(),
        (component_ref(), any::<bool>(), any::<bool>()).prop_map(|(mut r, nullable, ro)| {
            r["nullable"] = json!(nullable);
            r["readOnly"] = json!(ro);
            r["description"] = json!("beside a $ref");
            r
        }),
    ]
}

fn schema() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            inner.clone().prop_map(|i| json!({"type": "array", "items": i})),
            inner.clone().prop_map(|i| json!({"items": i})),
            (prop::collection::vec((name(), inner.clone()), 0..5), prop::collection::vec(name(), 0..3), prop::option::of(inner.clone()))
                .prop_map(|(props, required, extra)| {
                    let mut o = json!({"type": "object", "properties": Map::from_iter(props), "required": required});
                    if let Some(e) = extra {
                        o["additionalProperties"] = e;
                    }
                    o
                }),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({"allOf": v})),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({"oneOf": v})),
            (prop::collection::vec(inner.clone(), 1..4), name()).prop_map(|(v, tag)| {
                json!({"oneOf": v, "discriminator": {"propertyName": tag}})
            }),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({"anyOf": v, "deprecated": true})),
            inner.prop_map(|i| json!({"type": "object", "additionalProperties": i})),
        ]
    })
}

fn operation() -> impl Strategy<Value = Value> {
    (
        prop::option::of(name()),
        prop::collection::vec(name(), 0..2),
        prop::collection::vec((name(), prop::sample::select(&["query", "header", "path", "cookie", "body"][..]), schema()), 0..4),
        prop::option::of((schema(), prop::sample::select(&["application/json", "text/plain", "application/x-www-form-urlencoded"][..]))),
        prop::collection::vec((prop::sample::select(&["200", "201", "2XX", "204", "default", "4XX"][..]), prop::option::of(schema())), 0..3),
        prop::option::of(name()),
    )
        .prop_map(|(id, tags, params, body, responses, group)| {
            let mut op = json!({"tags": tags, "responses": {}});
            if let Some(id) = id {
                op["operationId"] = json!(id);
            }
            if let Some(g) = group {
                op["x-fern-sdk-group-name"] = json!(g);
            }
            op["parameters"] = Value::Array(
                params
                    .into_iter()
                    .map(|(n, loc, s)| json!({"name": n, "in": loc, "required": loc == "path", "schema": s}))
                    .collect(),
            );
            if let Some((s, media)) = body {
                op["requestBody"] = json!({"content": {media: {"schema": s}}});
            }
            for (code, s) in responses {
                let mut r = json!({"description": "r"});
                if let Some(s) = s {
                    r["content"] = json!({"application/json": {"schema": s}});
                }
                op["responses"][code] = r;
            }
            op
        })
}

fn document() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(
            (
                prop_oneof![Just("/a/{id}".to_string()), Just("/a".to_string()), "/[a-z{}]{1,6}(/[a-z{}_]{1,6}){0,2}"],
                prop::sample::select(&["get", "post", "put", "delete", "patch"][..]),
                operation(),
            ),
            0..6,
        ),
        prop::collection::vec((prop::sample::select(&NAMES[..6]), schema()), 0..6),
    )
        .prop_map(|(ops, schemas)| {
            let mut paths = Map::new();
            for (path, method, op) in ops {
                let item = paths.entry(path).or_insert_with(|| json!({}));
                item[method] = op;
            }
            json!({
                "openapi": "3.0.3",
                "info": {"title": "Fuzz", "version": "1"},
                "paths": paths,
                "components": {"schemas": Map::from_iter(schemas.into_iter().map(|(n, s)| (n.to_string(), s)))},
            })
        })
}

fn run(bytes: &[u8]) {
    let Ok(doc) = generator::load::load_bytes("fuzz.json", bytes) else { return };
    let config = generator::Config::default();
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "fuzz-client",
        command: "fuzz",
        inputs_label: "fuzz.json",
        extra_hash_input: b"",
        standalone: true,
    };
    match generator::generate(&input) {
        Ok(g) => assert!(g.files.contains_key("src/lib.rs")),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz.json"), "error does not name the file: {msg}");
            assert!(!msg.contains("internal error"), "{msg}\n{}", String::from_utf8_lossy(bytes));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_documents_never_panic(doc in document()) {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        run(text.as_bytes());
    }

    #[test]
    fn mutated_bytes_never_panic(doc in document(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = serde_json::to_vec_pretty(&doc).unwrap();
        for (at, b) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        run(&bytes);
    }
}
