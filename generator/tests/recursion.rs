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
    let doc = generator::load::load_bytes("cycles.yaml", DOC.as_bytes()).unwrap();
    let config = generator::Config::parse("codegen.yaml", "extra_schemas: [B, M]\n").unwrap();
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "cycles",
        command: "test",
        inputs_label: "cycles.yaml",
        extra_hash_input: b"",
        standalone: true,
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
