//! Each overlay action kind (update, remove, copy) on each target shape (wildcard `.*`/`[*]`,
//! filter `[?…]`, index `[0]`): the crate generated with the overlay differs from the crate
//! generated without it in exactly the lines the overlay implies, file by file. Headers, which
//! name the overlay and hash it with the document, are compared apart.

mod support;

use std::collections::BTreeMap;

use support::PETS;

/// The support's `PETS` (one path, `getPet`) with a deprecated `deletePet` beside it and a
/// second path of two operations: enough for a wildcard to select several nodes and a filter
/// to select some of them. The text continues `PETS`'s path item and `paths` by indentation.
fn store() -> String {
    format!(
        "{PETS}    delete:
      operationId: deletePet
      deprecated: true
      parameters:
        - {{name: pet_id, in: path, required: true, schema: {{type: string}}}}
      responses:
        '204': {{description: gone}}
  /pets:
    get:
      operationId: listPets
      summary: List pets
      parameters:
        - {{name: limit, in: query, schema: {{type: integer}}}}
        - {{name: kind, in: query, schema: {{type: string}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{type: array, items: {{$ref: '#/components/schemas/Pet'}}}}
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/Pet'}}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Pet'}}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {{type: string}}
        tag: {{type: string}}
"
    )
}

const MODELS: &str = "src/models.rs";
const PETS_RS: &str = "src/resources/pets.rs";

/// What one file's lines became: the lines removed and the lines added (each trimmed, in any
/// order: a line diff may pair a moved closing brace either way).
type Change<'a> = (&'a str, &'a [&'a str], &'a [&'a str]);

/// The files of the crate generated from [`store`], with the overlay of `actions` (YAML list
/// items) when given, and its diagnostics.
fn generate(actions: Option<&str>) -> (BTreeMap<String, String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("pets.yaml");
    std::fs::write(&spec, store()).unwrap();
    let mut settings = generator::Settings::new(&spec).crate_name("pets").command("regenerate").inputs_relative_to(dir.path());
    if let Some(actions) = actions {
        let overlay = dir.path().join("o.yaml");
        std::fs::write(&overlay, format!("overlay: 1.1.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}")).unwrap();
        settings = settings.overlay(overlay);
    }
    let generated = settings.generate().unwrap_or_else(|e| panic!("{e}"));
    (generated.files, generated.diagnostics.iter().map(ToString::to_string).collect())
}

/// The text with what an overlay changes in a header taken out (its inputs name `o.yaml`), so
/// that a header differing in anything else still shows.
fn normalise_header(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.replacen("pets.yaml with overlay o.yaml.", "pets.yaml.", 1))
        .collect();
    lines.join("\n")
}

/// Generates with and without the overlay and asserts the crate differs in exactly `expected`:
/// the same files, only the expected files changed, each by exactly its removed and added
/// lines, the same diagnostics, and every header naming the overlay.
fn assert_changes(actions: &str, expected: &[Change<'_>]) {
    let (plain, plain_diags) = generate(None);
    let (with, diags) = generate(Some(actions));
    assert_eq!(diags, plain_diags, "the overlay added diagnostics");

    assert_eq!(with.keys().collect::<Vec<_>>(), plain.keys().collect::<Vec<_>>(), "the set of files");

    // `api.md` restates the models and methods (its own lines are `minimal_diff`'s concern):
    // it changes exactly when a listed file does.
    let differs = |p: &str| normalise_header(&plain[p]) != normalise_header(&with[p]);
    let listed_changed = expected.iter().any(|(p, _, _)| differs(p));
    assert_eq!(differs("api.md"), listed_changed, "api.md changed, or did not, unlike the files listed");
    let mut seen = Vec::new();
    for path in plain.keys().filter(|p| *p != "api.md") {
        let (a, b) = (&plain[path], &with[path]);
        assert!(
            b.lines().take(3).any(|l| l.contains("from pets.yaml with overlay o.yaml.")),
            "{path}: the header does not name the overlay"
        );
        let (a, b) = (normalise_header(a), normalise_header(b));
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        for change in similar::TextDiff::from_lines(&a, &b).iter_all_changes() {
            let line = change.value().trim().to_string();
            match change.tag() {
                similar::ChangeTag::Delete => removed.push(line),
                similar::ChangeTag::Insert => added.push(line),
                similar::ChangeTag::Equal => {}
            }
        }
        let want = expected.iter().find(|(p, _, _)| p == path);
        match want {
            None => assert!(removed.is_empty() && added.is_empty(), "{path} changed though the overlay does not touch it:\n-{removed:#?}\n+{added:#?}"),
            Some((_, want_removed, want_added)) => {
                seen.push(path.as_str());
                let sorted = |mut v: Vec<String>| {
                    v.sort();
                    v
                };
                let own = |v: &[&str]| sorted(v.iter().map(|s| s.to_string()).collect());
                assert_eq!(sorted(removed), own(want_removed), "{path}: lines removed");
                assert_eq!(sorted(added), own(want_added), "{path}: lines added");
            }
        }
    }
    for (path, _, _) in expected {
        assert!(seen.contains(path), "{path}: expected a change, found the file unchanged or gone");
    }
}

#[test]
fn update_on_a_wildcard_sets_the_summary_of_every_get() {
    // `.*` selects both path items, `.get` their GET operations: the summary is the method's
    // first doc line, replacing `listPets`'s and new on `getPet` (with the blank doc line after).
    assert_changes(
        "  - target: $.paths.*.get\n    update: {summary: Read from the store}\n",
        &[(PETS_RS, &["/// List pets"], &["/// Read from the store", "/// Read from the store", "///"])],
    );
}

#[test]
fn update_on_a_filter_renames_the_one_operation_it_selects() {
    // The filter selects `getPet` only; `x-fern-sdk-method-name` names its method, and the
    // response type is named after the method.
    assert_changes(
        "  - target: $.paths.*[?@.operationId == 'getPet']\n    update: {x-fern-sdk-method-name: read}\n",
        &[
            // The struct and the head of its `object!` (its `Deserialize`).
            (MODELS, &["pub struct PetRetrieveResponse {", "PetRetrieveResponse {"], &["pub struct PetReadResponse {", "PetReadResponse {"]),
            (
                PETS_RS,
                &[
                    "/// let response = client.pets().retrieve(\"pet_id\").await?;",
                    "pub fn retrieve(",
                    ") -> crate::Request<'c, crate::models::PetRetrieveResponse> {",
                ],
                &[
                    "/// let response = client.pets().read(\"pet_id\").await?;",
                    "pub fn read(",
                    ") -> crate::Request<'c, crate::models::PetReadResponse> {",
                ],
            ),
        ],
    );
}

#[test]
fn update_on_an_index_makes_the_first_parameter_required() {
    // `parameters[0]` is `limit`: a required field, set in the example, always sent.
    assert_changes(
        "  - target: $.paths['/pets'].get.parameters[0]\n    update: {required: true}\n",
        &[
            (
                MODELS,
                &[
                    "pub limit: Option<i64>,",
                ],
                &[
                    "pub limit: i64,",
                ],
            ),
            (
                PETS_RS,
                &[
                    ".with_params(crate::models::PetListParams::default())",
                    "/// `GET /pets` (operationId `listPets`). Parameters are set by name on the returned request (one setter each) or all at once with `.params(…)`.",
                    "/// let response = client.pets().list().await?;",
                    "if let Some(v) = &params.limit {",
                    "req = req.query(\"limit\", v);",
                    "self.params_mut().limit = Some(value.into());",
                    "}",
                ],
                &[
                    ".with_params(params)",
                    "///     ..Default::default()",
                    "///     limit: 1,",
                    "/// `GET /pets` (operationId `listPets`). `params` can be changed on the returned request by name too.",
                    "/// let params = pets::models::PetListParams {",
                    "/// let response = client.pets().list(params).await?;",
                    "/// };",
                    "let v = &params.limit;",
                    "params: crate::models::PetListParams,",
                    "req = req.query(\"limit\", v);",
                    "self.params_mut().limit = value.into();",
                ],
            ),
        ],
    );
}

#[test]
fn remove_on_a_filter_drops_the_deprecated_operation() {
    // Only `deletePet` is deprecated: its method goes, doc, attribute, body and the blank line
    // between it and the next method; nothing else does.
    assert_changes(
        "  - target: $.paths.*[?@.deprecated == true]\n    remove: true\n",
        &[(
            PETS_RS,
            &[
                "/// `DELETE /pets/{pet_id}` (operationId `deletePet`).",
                "///",
                "/// ```no_run",
                "/// # async fn example(client: pets::Client) -> Result<(), pets::Error> {",
                "/// let response = client.pets().delete(\"pet_id\").await?;",
                "/// println!(\"{response:?}\");",
                "/// # Ok(())",
                "/// # }",
                "/// ```",
                "#[deprecated(note = \"deprecated in the API\")]",
                "pub fn delete(&self, pet_id: &str) -> crate::Request<'c, ()> {",
                "let pet_id = crate::encode_path(pet_id);",
                "let path = format!(\"/pets/{pet_id}\");",
                "crate::Request::new(self.client, reqwest::Method::DELETE, \"/pets/{pet_id}\", path)",
                ".without_envelope()",
                "}",
                "",
            ],
            &[],
        )],
    );
}

#[test]
fn remove_on_a_wildcard_drops_every_parameter_and_the_params_type() {
    // `[*]` selects both query parameters: `list` takes no params struct any more, and
    // its request is built in one expression.
    assert_changes(
        "  - target: $.paths['/pets'].get.parameters[*]\n    remove: true\n",
        &[
            (
                MODELS,
                &[
                    "",
                    "#[derive(Debug, Clone, PartialEq, Default)]",
                    "/// Parameters of `pets().list()` (`GET /pets`).",
                    "/// Sent in the query string.",
                    "/// Sent in the query string.",
                    "pub kind: Option<String>,",
                    "pub limit: Option<i64>,",
                    "pub struct PetListParams {",
                    "}",
                ],
                &[],
            ),
            (
                PETS_RS,
                &[
                    "",
                    "",
                    "",
                    "&self,",
                    "'c,",
                    ") -> crate::Request<",
                    ".with_params(crate::models::PetListParams::default())",
                    "/// Sets `PetListParams::kind` (see its docs in `models`).",
                    "/// Sets `PetListParams::limit` (see its docs in `models`).",
                    "/// `GET /pets` (operationId `listPets`). Parameters are set by name on the returned request (one setter each) or all at once with `.params(…)`.",
                    "> {",
                    "crate::AsJson,",
                    "crate::models::PetListParams,",
                    "crate::models::PetListResponse,",
                    "fn apply<'c>(&self, mut req: crate::Request<'c, ()>) -> crate::Request<'c, ()> {",
                    "if let Some(v) = &params.kind {",
                    "if let Some(v) = &params.limit {",
                    "impl crate::Params for crate::models::PetListParams {",
                    "impl<T, D> crate::Request<'_, T, D, crate::models::PetListParams> {",
                    "let params = self;",
                    "pub fn kind(mut self, value: impl Into<String>) -> Self {",
                    "pub fn limit(mut self, value: impl Into<i64>) -> Self {",
                    "pub fn list(",
                    "req",
                    "req = req.query(\"kind\", v);",
                    "req = req.query(\"limit\", v);",
                    "self",
                    "self",
                    "self.params_mut().kind = Some(value.into());",
                    "self.params_mut().limit = Some(value.into());",
                    "}",
                    "}",
                    "}",
                    "}",
                    "}",
                    "}",
                    "}",
                ],
                &[
                    "/// `GET /pets` (operationId `listPets`).",
                    "pub fn list(&self) -> crate::Request<'c, crate::models::PetListResponse> {",
                ],
            ),
        ],
    );
}

#[test]
fn remove_on_an_index_drops_the_second_parameter_only() {
    assert_changes(
        "  - target: $.paths['/pets'].get.parameters[1]\n    remove: true\n",
        &[
            (
                MODELS,
                &[
                    "/// Sent in the query string.",
                    "pub kind: Option<String>,",
                ],
                &[],
            ),
            (
                PETS_RS,
                &[
                    "",
                    "/// Sets `PetListParams::kind` (see its docs in `models`).",
                    "if let Some(v) = &params.kind {",
                    "pub fn kind(mut self, value: impl Into<String>) -> Self {",
                    "req = req.query(\"kind\", v);",
                    "self",
                    "self.params_mut().kind = Some(value.into());",
                    "}",
                    "}",
                ],
                &[],
            ),
        ],
    );
}

#[test]
fn copy_from_a_filter_gives_one_property_the_type_of_a_parameter() {
    // The filter selects the `limit` parameter; its schema (an integer) is merged into
    // `Pet.tag`, in the model and in the request body's params struct built from it.
    assert_changes(
        "  - target: $.components.schemas.Pet.properties.tag\n    copy: $.paths['/pets'].get.parameters[?@.name == 'limit'].schema\n",
        &[
            (
                MODELS,
                &[
                    "pub tag: Option<String>,",
                    "pub tag: Option<String>,",
                ],
                &[
                    "pub tag: Option<i64>,",
                    "pub tag: Option<i64>,",
                ],
            ),
            (
                PETS_RS,
                &[
                    "pub fn tag(mut self, value: impl Into<String>) -> Self {",
                ],
                &[
                    "pub fn tag(mut self, value: impl Into<i64>) -> Self {",
                ],
            ),
        ],
    );
}

#[test]
fn copy_to_a_wildcard_from_an_index_types_every_property() {
    // `.*` selects both properties of `Pet`; the source is `parameters[0]`'s schema.
    assert_changes(
        "  - target: $.components.schemas.Pet.properties.*\n    copy: $.paths['/pets'].get.parameters[0].schema\n",
        &[
            (
                MODELS,
                &[
                    "pub name: Option<String>,",
                    "pub name: Option<String>,",
                    "pub tag: Option<String>,",
                    "pub tag: Option<String>,",
                ],
                &[
                    "pub name: Option<i64>,",
                    "pub name: Option<i64>,",
                    "pub tag: Option<i64>,",
                    "pub tag: Option<i64>,",
                ],
            ),
            (
                PETS_RS,
                &[
                    "pub fn name(mut self, value: impl Into<String>) -> Self {",
                    "pub fn tag(mut self, value: impl Into<String>) -> Self {",
                ],
                &[
                    "pub fn name(mut self, value: impl Into<i64>) -> Self {",
                    "pub fn tag(mut self, value: impl Into<i64>) -> Self {",
                ],
            ),
        ],
    );
}
