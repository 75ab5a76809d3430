//! What generated contract calls send, for the cases a mock server rejected or answered in a way
//! the calls did not expect: a schema-less body, a required property that may be null, multipart
//! forms with no required part or no properties, parts Prism cannot read as sent, an operation
//! that only upgrades the connection, a response that is not JSON (its `Accept`), URL-encoded
//! forms, path parameters the path does not name, and query parameters Prism reads differently.

use std::collections::BTreeMap;

const SPEC: &str = r#"
openapi: 3.0.3
info: { title: Calls, version: "1" }
servers: [{ url: "https://api.example.com" }]
paths:
  /anything:
    post:
      operationId: postAnything
      requestBody: { required: true, content: { application/json: {} } }
      responses: { "200": { description: ok } }
  /nullable:
    post:
      operationId: postNullable
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [note, name]
              properties:
                name: { type: string }
                note: { type: string, nullable: true }
      responses: { "200": { description: ok } }
  /assets:
    post:
      operationId: uploadAssets
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: { type: object, additionalProperties: { type: string } }
      responses: { "200": { description: ok } }
  /bare-form:
    post:
      operationId: bareForm
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: { type: object }
      responses: { "200": { description: ok } }
  /script:
    put:
      operationId: putScript
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                metadata: { type: object, properties: { main: { type: string } } }
                files: { type: array, items: { type: string, format: binary } }
                label: { type: string }
      responses: { "200": { description: ok } }
  /socket:
    get:
      operationId: openSocket
      responses:
        "101": { description: switching to a WebSocket }
        "400": { description: bad }
  /letter.pdf:
    get:
      operationId: getLetter
      responses:
        "200": { description: the letter, content: { application/pdf: { schema: { type: string, format: binary } } } }
  /settings:
    patch:
      operationId: patchSettings
      parameters:
        - { name: old, in: query, deprecated: true, schema: { type: string } }
        - { name: new, in: query, schema: { type: string } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, minProperties: 1, properties: { logpush: { type: boolean } } }
      responses: { "200": { description: ok } }
  /untyped-part:
    post:
      operationId: postUntypedPart
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: { type: object, required: [metadata], properties: { metadata: {} } }
      responses: { "200": { description: ok } }
  /source:
    get:
      operationId: getSource
      responses:
        "200": { description: the script, content: { string: { schema: { type: string } } } }
  /render:
    post:
      operationId: render
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties: { url: { type: string, example: "https://example.com/" }, html: { type: string } }
              oneOf: [{ required: [url] }, { required: [html] }]
      responses: { "200": { description: ok } }
  /records:
    post:
      operationId: batchRecords
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                posts:
                  type: array
                  items: { $ref: '#/components/schemas/Record' }
                  example: [{ type: TXT, name: example.com, content: hello }]
                patches:
                  type: array
                  items: { $ref: '#/components/schemas/RecordPatch' }
                exports:
                  type: object
                  additionalProperties: { $ref: '#/components/schemas/Export' }
                  example: { Counter: { type: durable-object, storage: sqlite } }
                shape: { $ref: '#/components/schemas/Shape' }
      responses: { "200": { description: ok } }
  /views:
    post:
      operationId: createView
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/ViewPost' }
      responses: { "200": { description: ok } }
  /workers:
    put:
      operationId: putWorker
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [observability]
              properties:
                observability:
                  type: object
                  minProperties: 1
                  properties: { enabled: { type: boolean }, id: { type: string, readOnly: true } }
      responses: { "200": { description: ok } }
  /logo:
    post:
      operationId: uploadLogo
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: { type: object, properties: { tag: { type: string }, image: { type: string } } }
      responses: { "200": { description: ok } }
  /{scope}/{scope_id}/datasets:
    get:
      operationId: listDatasets
      parameters:
        - { name: scope, in: path, required: true, schema: { type: string, enum: [accounts, zones] } }
        - { name: scope_id, in: path, required: true, schema: { type: string } }
        - { name: account_id, in: path, required: true, schema: { type: string } }
      responses: { "200": { description: ok } }
  /approvals:
    get:
      operationId: listApprovals
      parameters:
        - name: status
          in: query
          schema:
            example: [pending, rejected]
            anyOf:
              - { type: string, enum: [pending, approved, rejected] }
              - { type: array, items: { type: string, enum: [pending, approved, rejected] }, minItems: 1 }
        - name: search
          in: query
          schema: { type: array, items: { type: object, required: [field], properties: { field: { type: string } } } }
        - { name: tags, in: query, schema: { type: array, items: { type: string } } }
      responses: { "200": { description: ok } }
  /columns:
    post:
      operationId: defineColumns
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: array
              items:
                properties: { header_name: { type: string }, num_cells: { type: integer, minimum: 0 } }
                required: [header_name, num_cells]
                anyOf:
                  - { type: object, title: Existing Column, required: [entry_id], properties: { entry_id: { type: string } } }
                  - { type: object, title: New Column, required: [entry_name], properties: { entry_name: { type: string } } }
      responses: { "200": { description: ok } }
  /json:
    get:
      operationId: getJson
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: object } } } }
components:
  schemas:
    Record:
      type: object
      discriminator: { propertyName: type }
      oneOf:
        - { $ref: '#/components/schemas/ARecord' }
        - { $ref: '#/components/schemas/TXTRecord' }
    ARecord:
      type: object
      required: [type, name]
      properties:
        type: { type: string, enum: [A] }
        name: { type: string }
        content: { type: string, format: ipv4, example: 198.51.100.4 }
        proxied: { type: boolean }
    TXTRecord:
      type: object
      required: [type, name]
      properties:
        type: { type: string, enum: [TXT] }
        name: { type: string }
        content: { type: string }
        ttl: { type: integer }
    RecordPatch:
      type: object
      required: [id]
      properties: { id: { type: string } }
      allOf: [{ $ref: '#/components/schemas/Record' }]
    Export:
      oneOf:
        - { $ref: '#/components/schemas/WorkerExport' }
        - { $ref: '#/components/schemas/ObjectExport' }
    WorkerExport:
      type: object
      additionalProperties: false
      required: [type]
      properties: { type: { type: string, enum: [worker] }, cache: { type: boolean } }
    ObjectExport:
      type: object
      additionalProperties: false
      required: [type, storage]
      properties: { type: { type: string, enum: [durable-object] }, storage: { type: string }, note: { type: string } }
    Shape:
      oneOf:
        - { type: object, title: Circle, required: [radius], properties: { radius: { type: integer }, label: { type: string } } }
        - { type: object, title: Tag, required: [label], properties: { label: { type: string } } }
    View:
      type: object
      properties:
        id: { type: string, readOnly: true }
        name: { type: string }
        zones: { type: array, items: { type: string } }
    ViewPost:
      type: object
      required: [name, zones]
      $ref: '#/components/schemas/View'
"#;

fn generate() -> BTreeMap<String, String> {
    generate_all().files
}

fn generate_all() -> generator::Generated {
    let doc = generator::load_bytes("openapi.yaml", SPEC.as_bytes()).expect("the document loads");
    let config = generator::Config::parse("codegen.yaml", "tests:\n  contract: true\n").expect("the configuration parses");
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "calls",
        command: "cargo test -p openapi-rustgen --test contract_calls",
        inputs_label: "openapi.yaml",
        standalone: true,
        module: None,
    };
    generator::generate(&input).expect("the crate generates")
}

/// The body of the generated call function `name`, up to the next function.
fn function<'a>(test: &'a str, name: &str) -> &'a str {
    let start = test.find(&format!("fn {name}(")).unwrap_or_else(|| panic!("no `{name}` in:\n{test}"));
    let rest = &test[start..];
    let end = rest[3..].find("\nfn ").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

#[test]
fn schemaless_body_is_an_object_not_null() {
    let files = generate();
    let test = &files["tests/contract.rs"];
    let call = function(test, "call_anything_update_required");
    assert!(call.contains("serde_json::Value::Object(Default::default())"), "{call}");
    assert!(!call.contains("Value::Null"), "{call}");
}

#[test]
fn required_nullable_property_is_sent() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_nullable_update_required");
    let note = call.lines().find(|l| l.trim_start().starts_with("note:")).unwrap_or_else(|| panic!("no `note` in:\n{call}"));
    assert!(note.contains("Some("), "a required property that may be null is sent with a value: {note}");
}

#[test]
fn multipart_forms_are_never_sent_empty() {
    let files = generate();
    let test = &files["tests/contract.rs"];
    // Parts named by the caller only: the call names one.
    let assets = function(test, "call_assets_upload_required");
    assert!(assets.contains("additional_properties: [(\"part\".to_string()"), "{assets}");
    // No required part: the call still sends its parts.
    let script = function(test, "call_script_update_required");
    assert!(script.contains("label") && script.contains("metadata") && script.contains("files"), "{script}");
    // A body that needs a property though none is required sends one.
    let settings = function(test, "call_settings_update_required");
    assert!(settings.contains("logpush: Some(true)"), "{settings}");
    // A form whose schema names no properties gets a part of its own.
    let bare = function(test, "call_bare_form_update_required");
    assert!(bare.contains(".text(\"part\", \"contract test\")"), "{bare}");
}

#[test]
fn parts_prism_cannot_read_and_upgrades_are_named() {
    let files = generate();
    let test = &files["tests/contract.rs"];
    let entry = |label: &str| {
        let at = test.find(&format!("\"{label}\"")).unwrap_or_else(|| panic!("no entry for {label}:\n{test}"));
        test[at..].split("));").next().unwrap().to_string()
    };
    let script = entry("script.update");
    assert!(script.contains("PrismMultipartPart(\"metadata\")") && script.contains("PrismMultipartPart(\"files\")"), "{script}");
    assert!(!script.contains("PrismMultipartPart(\"label\")"), "a text part is read as sent: {script}");
    assert!(entry("socket.open").contains("prism::Known::Upgrade"));
    assert!(entry("untyped_part.update").contains("PrismMultipartPart(\"metadata\")"), "untyped JSON is a JSON part");
    assert!(entry("json.retrieve").contains("&[]"), "{}", entry("json.retrieve"));
    let prism = &files["tests/contract/prism.rs"];
    assert!(prism.contains("Switching Protocols") && prism.contains("fn covers"));
}

#[test]
fn a_response_that_is_not_json_is_asked_for_by_its_type() {
    let files = generate();
    let resources: String = files.iter().filter(|(p, _)| p.starts_with("src/resources")).map(|(_, t)| t.as_str()).collect();
    assert!(resources.contains(".header(\"accept\", \"application/pdf\")"), "{resources}");
    // A media type no header can name asks for anything.
    assert!(resources.contains(".header(\"accept\", \"*/*\")"), "{resources}");
    // Plain JSON keeps the client's `Accept: application/json`.
    assert_eq!(resources.matches(".header(\"accept\"").count(), 2, "{resources}");
}

#[test]
fn deprecated_parameters_stay_out_of_the_all_arguments_call() {
    let files = generate();
    let all = function(&files["tests/contract.rs"], "call_settings_update_all");
    assert!(all.contains("new: Some(") && all.contains("old: None"), "{all}");
}

#[test]
fn an_object_whose_one_of_parts_only_require_properties_is_sent_with_them() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_render_update_required");
    assert!(call.contains("https://example.com/") && !call.contains("\\\"value\\\""), "{call}");
}

#[test]
fn a_union_item_is_built_from_the_variant_its_sample_is_of() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_records_batch_all");
    // The example is a TXT record: the variant its discriminator names, with that variant's fields.
    assert!(call.contains("Record::TxtRecord(") && call.contains("TxtRecordType::Txt"), "{call}");
    assert!(!call.contains("ARecord") && !call.contains("Other("), "{call}");
    // Without a discriminator: the variant whose fields the example fits, with every field
    // where that value still fits one variant only.
    assert!(call.contains("Export::ObjectExport(") && !call.contains("WorkerExport"), "{call}");
    assert!(call.contains("\"sqlite\"") && call.contains("note: Some("), "{call}");
    // A circle with a label would be a tag as well: the circle goes without its label.
    assert!(call.contains("Shape::Circle(") && call.contains("radius: 1") && !call.contains("label: Some("), "{call}");
    // An item type that cannot hold the union its schema also requires is not sent at all.
    assert!(call.contains("patches: None"), "{call}");
}

#[test]
fn required_beside_a_ref_is_sent_though_the_model_keeps_it_optional() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_views_create_required");
    assert!(call.contains("name: Some(") && call.contains("zones: Some("), "{call}");
    // The model follows OpenAPI 3.0, which ignores a `$ref`'s siblings.
    let models: String = files.iter().filter(|(p, _)| p.starts_with("src/models")).map(|(_, t)| t.as_str()).collect();
    assert!(models.contains("pub zones: Option<"), "{models}");
}

#[test]
fn a_nested_object_gets_its_min_properties() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_workers_update_required");
    assert!(call.contains("enabled: Some(true)"), "{call}");
    assert!(!call.contains("id: Some("), "a read-only field does not count: {call}");
}

#[test]
fn a_url_encoded_form_with_no_required_field_is_not_sent_empty() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_logo_upload_required");
    assert!(call.contains("tag: Some(") && call.contains("image: Some("), "{call}");
}

#[test]
fn a_path_parameter_the_path_does_not_name_is_a_known_document_fault() {
    let generated = generate_all();
    let test = &generated.files["tests/contract.rs"];
    let at = test.find("\"datasets.list\"").unwrap_or_else(|| panic!("no entry for datasets.list:\n{test}"));
    let entry = test[at..].split("));").next().unwrap();
    assert!(entry.contains("prism::Known::StrayPathParameter(\"account_id\")"), "{entry}");
    assert!(!entry.contains("StrayPathParameter(\"scope"), "{entry}");
    let warned = generated.diagnostics.iter().find(|d| d.code == "stray-path-parameter").expect("a warning for the stray parameter");
    assert!(warned.pointer.ends_with("/parameters/2") && warned.message.contains("`account_id`"), "{warned:?}");
    let prism = &generated.files["tests/contract/prism.rs"];
    assert!(prism.contains("Known::StrayPathParameter(name) => line.ends_with("), "{prism}");
}

#[test]
fn a_query_union_of_a_value_or_a_list_is_sent_as_one_value() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_approvals_list_all");
    assert!(call.contains("ApprovalListParamsStatus::Enum(") && call.contains("StatusEnum::Pending"), "{call}");
    let status = call.split("status:").nth(1).and_then(|r| r.split("search:").next()).unwrap_or_else(|| panic!("{call}"));
    assert!(!status.contains("vec!["), "a list is repeated parameters, which Prism reads as neither part: {call}");
}

#[test]
fn an_optional_list_of_objects_stays_out_of_the_query() {
    let files = generate();
    let call = function(&files["tests/contract.rs"], "call_approvals_list_all");
    assert!(call.contains("search: None") || !call.contains("search:"), "{call}");
    assert!(call.contains("tags: Some("), "a list of values is sent: {call}");
}

/// Properties and `required` written beside a union's alternatives belong to every variant:
/// each variant's struct carries them, and a required-only call sends them.
#[test]
fn properties_beside_a_union_are_in_every_variant() {
    let files = generate();
    let models: String = files.iter().filter(|(p, _)| p.starts_with("src/models")).map(|(_, t)| t.as_str()).collect();
    for variant in ["ExistingColumn", "NewColumn"] {
        let at = models.find(&format!("ItemsItem{variant} {{")).or_else(|| models.find(&format!("Item{variant} {{"))).unwrap_or_else(|| panic!("no struct for {variant}:\n{models}"));
        let body = models[at..].split('}').next().unwrap();
        assert!(body.contains("pub header_name: String") && body.contains("pub num_cells: i64"), "{variant}: {body}");
    }
    let call = function(&files["tests/contract.rs"], "call_columns_define_required");
    assert!(call.contains("header_name") && call.contains("num_cells"), "{call}");
}
