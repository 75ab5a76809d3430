//! Schemas that contain themselves with no object in between (an array of itself, a map of
//! itself, `allOf` aliases of each other) end in untyped JSON with a diagnostic, not in endless
//! recursion. Found by the robustness proptests as a stack overflow.

const DOC: &str = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A:
      type: array
      items: {$ref: '#/components/schemas/A'}
    B:
      allOf: [{$ref: '#/components/schemas/C'}]
    C:
      allOf: [{$ref: '#/components/schemas/B'}]
    M:
      type: object
      additionalProperties: {$ref: '#/components/schemas/M'}
"##;

#[test]
fn self_containing_aliases_become_json_with_a_diagnostic() {
    let doc = generator::load_bytes("cycles.yaml", DOC.as_bytes()).unwrap();
    let config = generator::Config::parse("codegen.yaml", "extra_schemas: [B, M]\n").unwrap();
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "cycles",
        command: "test",
        inputs_label: "cycles.yaml",
        standalone: true,
        module: None,
    };
    let generated = generator::generate(&input).expect("generates");
    let mut flagged: Vec<&str> = generated
        .diagnostics
        .iter()
        .filter(|d| d.code == "recursive-alias")
        .map(|d| d.pointer.as_str())
        .collect();
    flagged.sort();
    assert_eq!(flagged, ["/components/schemas/A", "/components/schemas/B", "/components/schemas/M"]);
    let models = &generated.files["src/models.rs"];
    assert!(models.contains("Vec<serde_json::Value>"), "{models}");
}

/// `allOf` parts that refer back to each other, twice each: merging must visit each schema
/// once (this was exponential, 2^32 visits, before).
#[test]
fn mutually_referring_all_of_parts_merge_in_linear_time() {
    let doc_text = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    A:
      allOf:
        - {$ref: '#/components/schemas/B'}
        - {$ref: '#/components/schemas/B'}
        - type: object
          properties: {a: {type: string}}
    B:
      allOf:
        - {$ref: '#/components/schemas/A'}
        - {$ref: '#/components/schemas/A'}
        - type: object
          properties: {b: {type: integer}}
"##;
    let doc = generator::load_bytes("allof.yaml", doc_text.as_bytes()).unwrap();
    let config = generator::Config::parse("codegen.yaml", "extra_schemas: [A]\n").unwrap();
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "allof",
        command: "test",
        inputs_label: "allof.yaml",
        standalone: true,
        module: None,
    };
    let started = std::time::Instant::now();
    let generated = generator::generate(&input).expect("generates");
    let models = &generated.files["src/models.rs"];
    assert!(models.contains("pub a: Option<String>") && models.contains("pub b: Option<i64>"), "{models}");
    // Generous bound: the exponential version took minutes.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
