//! A small spec change gives a small, local generated diff.
//!
//! Each case applies one textual edit to `spec/openapi.yaml` in memory, generates the crate with
//! `spec/codegen.yaml` through the library (as `cargo xtask codegen` does), and compares the
//! files with the generation of the unedited document. Only the files the edit implies may
//! change, by exactly the lines listed: no header stamp, no renumbered names, no reordered items,
//! no churn elsewhere. One case does the same on disk: a copy of the project regenerated into
//! its own folder.

use std::collections::BTreeMap;
use std::path::Path;

use generator::{generate, load_bytes, Config};

mod support;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn spec_text() -> String {
    std::fs::read_to_string(root().join("spec/openapi.yaml")).expect("spec/openapi.yaml")
}

/// The generated files for `doc_text` with the project's configuration.
fn generate_text(doc_text: &str) -> BTreeMap<String, String> {
    let generated = generate_all(doc_text);
    assert!(
        generated.diagnostics.is_empty(),
        "unexpected diagnostics: {:?}",
        generated.diagnostics
    );
    generated.files
}

/// Files and diagnostics for `doc_text` with the project's configuration.
fn generate_all(doc_text: &str) -> generator::Generated {
    let config_text =
        std::fs::read_to_string(root().join("spec/codegen.yaml")).expect("spec/codegen.yaml");
    let config = Config::parse("spec/codegen.yaml", &config_text).expect("codegen.yaml parses");
    let doc = load_bytes("spec/openapi.yaml", doc_text.as_bytes()).expect("document loads");
    let input = support::project_input(&doc, &config);
    generate(&input).unwrap_or_else(|e| panic!("generation failed: {e}"))
}

/// Replaces the one occurrence of `anchor` with `replacement` (the test fails when the spec no
/// longer has exactly one, so that an edit never silently does nothing).
fn edit(text: &str, anchor: &str, replacement: &str) -> String {
    assert_eq!(
        text.matches(anchor).count(),
        1,
        "anchor must occur exactly once in spec/openapi.yaml:\n{anchor}"
    );
    text.replacen(anchor, replacement, 1)
}

/// Changed lines per file, as `+line` / `-line` (trimmed). Files added or removed show every
/// line.
fn changes(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let empty = String::new();
    for name in names {
        let (a, b) = (
            old.get(name).unwrap_or(&empty),
            new.get(name).unwrap_or(&empty),
        );
        let diff = similar::TextDiff::from_lines(a.as_str(), b.as_str());
        let mut lines = Vec::new();
        for change in diff.iter_all_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Equal => continue,
            };
            let line = change.value().trim();
            lines.push(format!("{sign}{line}"));
        }
        if !lines.is_empty() {
            out.insert(name.clone(), lines);
        }
    }
    out
}

fn show(changes: &BTreeMap<String, Vec<String>>) -> String {
    let mut s = String::new();
    for (file, lines) in changes {
        s.push_str(&format!("{file}:\n"));
        for l in lines {
            s.push_str(&format!("    {l}\n"));
        }
    }
    s
}

/// Generates `before` and `after`, and checks that exactly `expected` changed: these files, these
/// lines (trimmed, `+` added, `-` removed, in order), and nothing else.
fn assert_local(case: &str, before: &str, after: &str, expected: &[(&str, &[&str])]) {
    assert_ne!(before, after, "{case}: the edit changed nothing");
    let (a, b) = (generate_text(before), generate_text(after));
    let got = changes(&a, &b);
    let want: BTreeMap<String, Vec<String>> = expected
        .iter()
        .map(|(file, lines)| {
            (
                file.to_string(),
                lines.iter().map(|l| l.to_string()).collect(),
            )
        })
        .collect();
    assert!(
        got == want,
        "{case}: the generated diff is not the one the edit implies.\n--- got:\n{}--- expected:\n{}",
        show(&got),
        show(&want)
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{case}: files added or removed"
    );
    let unchanged = a.iter().filter(|(name, text)| b[*name] == **text).count();
    assert_eq!(unchanged, a.len() - want.len(), "{case}: files changed beyond those listed");
}

/// The `User` schema's last property, where the edits below add one.
const USER_UID: &str = "        uid:\n          $ref: '#/components/schemas/access_uid'\n";

fn with_user_property(text: &str, yaml: &str) -> String {
    edit(text, USER_UID, &format!("{USER_UID}{yaml}"))
}

#[test]
fn adding_an_optional_property_adds_one_field_and_its_reading() {
    let base = spec_text();
    let after = with_user_property(
        &base,
        "        department:\n          description: The user's department.\n          type: string\n",
    );
    assert_local(
        "optional property",
        &base,
        &after,
        &[
            ("api.md", &["+- `department: Option<String>`"]),
            (
                "src/models.rs",
                &[
                    "+/// The user's department.",
                    "+#[serde(default, skip_serializing_if = \"Option::is_none\")]",
                    "+pub department: Option<String>,",
                    // Its line in the struct's `object!` (its `Deserialize`).
                    "+optional department = \"department\",",
                ],
            ),
        ],
    );
}

#[test]
fn adding_an_enum_value_adds_one_variant() {
    // The spec has no string enum, so the edit's base adds one.
    let base = with_user_property(
        &spec_text(),
        "        status:\n          description: The user's status.\n          type: string\n          enum:\n          - active\n          - suspended\n",
    );
    let after = edit(
        &base,
        "          - suspended\n",
        "          - suspended\n          - revoked\n",
    );
    assert_local(
        "enum value",
        &base,
        &after,
        &[
            ("api.md", &["+- `Revoked` = `revoked`"]),
            (
                "src/models.rs",
                &[
                    "+/// `revoked`",
                    "+Revoked = \"revoked\",",
                ],
            ),
        ],
    );
}

#[test]
fn adding_an_operation_adds_one_method_and_its_response_alias() {
    let base = spec_text();
    let after = edit(
        &base,
        "      x-fern-sdk-group-name: zero-trust.access.users.active-sessions\n      x-fern-sdk-method-name: get\n",
        DELETE_SESSION,
    );
    assert_local(
        "operation",
        &base,
        &after,
        &[
            (
                "api.md",
                &[
                    "+- `fn delete(&self, account_id: &str, user_id: &str, nonce: &str) -> Request<'c, models::ActiveSessionDeleteResponse>`: `DELETE /accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}`. Revoke an active session",
                    "+### `models::ActiveSessionDeleteResponse` (type alias)",
                    "+",
                    "+- = `serde_json::Value`",
                    "+",
                ],
            ),
            (
                "src/models.rs",
                &[
                    "+/// Alias kept for the name the API reference uses.",
                    "+pub type ActiveSessionDeleteResponse = serde_json::Value;",
                    "+",
                ],
            ),
            (
                "src/resources/zero_trust/access/users/active_sessions.rs",
                &[
                    "+/// Revoke an active session",
                    "+///",
                    "+/// Ends one active session of a user.",
                    "+///",
                    "+/// `DELETE /accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}` (operationId `zero-trust-users-revoke-active-session`).",
                    "+///",
                    "+/// ```no_run",
                    "+/// # async fn example(client: cloudflare_access_users::Client) -> Result<(), cloudflare_access_users::Error> {",
                    "+/// let response = client.zero_trust().access().users().active_sessions().delete(\"account_id\", \"user_id\", \"nonce\").await?;",
                    "+/// println!(\"{response:?}\");",
                    "+/// # Ok(())",
                    "+/// # }",
                    "+/// ```",
                    "+pub fn delete(",
                    "+&self,",
                    "+account_id: &str,",
                    "+user_id: &str,",
                    "+nonce: &str,",
                    "+) -> crate::Request<'c, crate::models::ActiveSessionDeleteResponse> {",
                    "+let account_id = crate::encode_path(account_id);",
                    "+let user_id = crate::encode_path(user_id);",
                    "+let nonce = crate::encode_path(nonce);",
                    "+let path = format!(",
                    "+\"/accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}\"",
                    "+);",
                    "+crate::Request::new(",
                    "+self.client,",
                    "+reqwest::Method::DELETE,",
                    "+\"/accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}\",",
                    "+path,",
                    // No `.security(…)`: the operation keeps the document's default.
                    "+)",
                    "+}",
                    "+",
                ],
            ),
            (
                // Its contract test: one call added to the table and its function, named after
                // the method so that no other call is renamed; the count in the docs.
                "tests/contract.rs",
                &[
                    "+\"zero_trust.access.users.active_sessions.delete\",",
                    "+\"required\",",
                    "+Some(0),",
                    // What Prism is known to report about this call: nothing.
                    "+&[],",
                    "+call_zero_trust_access_users_active_sessions_delete_required,",
                    "+));",
                    "+calls",
                    "+.push((",
                    "-/// Calls 9 of the crate's 9 operations (an operation whose required arguments have no value the schemas accept is left out).",
                    "+/// Calls 10 of the crate's 10 operations (an operation whose required arguments have no value the schemas accept is left out).",
                    "+/// DELETE `/accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}` with required arguments.",
                    "+fn call_zero_trust_access_users_active_sessions_delete_required(",
                    "+client: Client,",
                    "+) -> Pending {",
                    "+Box::pin(async move {",
                    "+client",
                    "+.zero_trust()",
                    "+.access()",
                    "+.users()",
                    "+.active_sessions()",
                    "+.delete(",
                    "+\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\",",
                    "+\"5b9e2f4a-7c1d-4e3b-a8f6-0d2c4e6a8b1f\",",
                    "+\"Q7mZp2LrVx9KtN4s\",",
                    "+)",
                    "+.await?;",
                    "+Ok::<(), Error>(())",
                    "+})",
                    "+}",
                    "+",
                ],
            ),
        ],
    );
}

#[test]
fn changing_a_schema_description_changes_one_doc_line() {
    let base = spec_text();
    let after = edit(
        &base,
        "      description: The unique API identifier of the user.\n",
        "      description: The unique API identifier of the user, stable across renames.\n",
    );
    assert_local(
        "schema description",
        &base,
        &after,
        &[(
            "src/models.rs",
            &[
                "-/// The unique API identifier of the user.",
                "+/// The unique API identifier of the user, stable across renames.",
            ],
        )],
    );
}

#[test]
fn changing_an_operation_description_changes_one_doc_line() {
    let base = spec_text();
    let after = edit(
        &base,
        "      description: Fetches one active session of a user, identified by its nonce.\n",
        "      description: Fetches one active session of a user by its nonce.\n",
    );
    assert_local(
        "operation description",
        &base,
        &after,
        &[(
            "src/resources/zero_trust/access/users/active_sessions.rs",
            &[
                "-/// Fetches one active session of a user, identified by its nonce.",
                "+/// Fetches one active session of a user by its nonce.",
            ],
        )],
    );
}

#[test]
fn adding_an_optional_query_parameter_adds_one_field_its_query_line_and_its_setter() {
    let base = spec_text();
    let after = edit(
        &base,
        "      - $ref: '#/components/parameters/access_page'\n",
        "      - name: kind\n        in: query\n        schema:\n          description: Only return users of this kind.\n          type: string\n      - $ref: '#/components/parameters/access_page'\n",
    );
    assert_local(
        "optional query parameter",
        &base,
        &after,
        &[
            (
                "api.md",
                &[
                    // The method's line lists its setters: `.kind(…)` joins them.
                    "-- `fn list(&self, account_id: &str) -> PageRequest<'c, models::UserListResponse, models::UserListParams>`: `GET /accounts/{account_id}/access/users`. Get users. Parameters by name on the request: `.name(…)`, `.email(…)`, `.search(…)`, `.page(…)`, `.per_page(…)`; all at once: `.params(…)`.",
                    "+- `fn list(&self, account_id: &str) -> PageRequest<'c, models::UserListResponse, models::UserListParams>`: `GET /accounts/{account_id}/access/users`. Get users. Parameters by name on the request: `.name(…)`, `.email(…)`, `.search(…)`, `.kind(…)`, `.page(…)`, `.per_page(…)`; all at once: `.params(…)`.",
                    "+- `kind: Option<String>`",
                ],
            ),
            (
                "src/models.rs",
                &[
                    "+/// Only return users of this kind.",
                    "+///",
                    "+/// Sent in the query string.",
                    "+pub kind: Option<String>,",
                ],
            ),
            (
                "src/resources/zero_trust/access/users.rs",
                &[
                    "+if let Some(v) = &params.kind {",
                    "+req = req.query(\"kind\", v);",
                    "+}",
                    "+/// Sets `UserListParams::kind` (see its docs in `models`).",
                    "+pub fn kind(mut self, value: impl Into<String>) -> Self {",
                    "+self.params_mut().kind = Some(value.into());",
                    "+self",
                    "+}",
                    "+",
                ],
            ),
            // The contract test's all-arguments call sets it too.
            ("tests/contract.rs", &["+kind: Some(\"string\".into()),"]),
        ],
    );
}

#[test]
fn an_edit_outside_the_generated_surface_changes_nothing() {
    // An example value is not part of any generated item.
    let base = spec_text();
    let after = edit(
        &base,
        "      example: 7c5e3a1f9d7b5c3a1e9f7d5b3c1a9e7f\n",
        "      example: 0c5e3a1f9d7b5c3a1e9f7d5b3c1a9e7f\n",
    );
    assert_local("example", &base, &after, &[]);
}

#[test]
fn changing_the_api_version_changes_only_the_lines_that_state_it() {
    // No file carries a version stamp of its own: the document's version shows where the crate
    // describes itself, and nowhere else.
    let base = spec_text();
    let after = edit(&base, "  version: 4.0.0\n", "  version: 4.1.0\n");
    let (a, b) = (generate_text(&base), generate_text(&after));
    let got = changes(&a, &b);
    let files: Vec<&str> = got.keys().map(String::as_str).collect();
    assert_eq!(files, ["README.md", "src/lib.rs"], "{}", show(&got));
    for lines in got.values() {
        assert_eq!(lines.len(), 2, "{}", show(&got));
        assert!(lines[0].contains("API version 4.0.0") && lines[1].contains("API version 4.1.0"), "{}", show(&got));
    }
}

#[test]
fn adding_an_operation_of_a_new_resource_adds_its_file_and_one_accessor() {
    // The file list lives in the parent resource's `mod` lines, so a new resource touches its
    // parent, `models.rs` (the response alias) and the contract tests (its call), and no other
    // file.
    let base = spec_text();
    let new_resource = DELETE_SESSION
        .replace(
            "    delete:\n",
            "  /accounts/{account_id}/access/users/{user_id}/devices/{nonce}:\n    delete:\n",
        )
        .replace(
            "x-fern-sdk-group-name: zero-trust.access.users.active-sessions\n      x-fern-sdk-method-name: delete",
            "x-fern-sdk-group-name: zero-trust.access.users.devices\n      x-fern-sdk-method-name: delete",
        )
        .replace("zero-trust-users-revoke-active-session", "zero-trust-users-forget-device");
    let after = edit(
        &base,
        "      x-fern-sdk-group-name: zero-trust.access.users.active-sessions\n      x-fern-sdk-method-name: get\n",
        &new_resource,
    );
    let (a, b) = (generate_text(&base), generate_text(&after));
    let got = changes(&a, &b);
    let files: Vec<&str> = got.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        ["api.md", "src/models.rs", "src/resources/zero_trust/access/users.rs", "src/resources/zero_trust/access/users/devices.rs", "tests/contract.rs"],
        "{}",
        show(&got)
    );
    assert!(!a.contains_key("src/resources/zero_trust/access/users/devices.rs"));
    let parent = &got["src/resources/zero_trust/access/users.rs"];
    assert!(parent.iter().all(|l| l.starts_with('+')), "the parent only gains lines:\n{}", show(&got));
    assert!(parent.iter().any(|l| l.starts_with("+pub fn devices(")), "{}", show(&got));
    assert!(parent.iter().any(|l| l == "+pub mod devices;"), "{}", show(&got));
    // The reference page gains the accessor's section, its method and the response alias.
    assert!(got["api.md"].iter().all(|l| l.starts_with('+')), "{}", show(&got));
    assert!(got["api.md"].contains(&"+### `client.zero_trust().access().users().devices()`".to_string()), "{}", show(&got));
}

/// The same as a user sees it: a copy of the project (spec and generated crate) whose spec gets
/// one description edit and is regenerated into its folder. Exactly one file is rewritten, and
/// the folder differs from before by exactly that doc line.
#[test]
fn one_description_edit_regenerated_into_a_folder_rewrites_one_file_by_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["spec", "generated"] {
        support::copy_tree(&root().join(dir), &tmp.path().join(dir));
    }
    let settings = support::project_settings(tmp.path());
    let out = tmp.path().join("generated");
    let first = settings.write_to(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(first.changes.is_empty(), "the copied crate was not fresh: {:?}", first.changes.changed);
    let before = support::read_tree(&out);

    let spec = tmp.path().join("spec/openapi.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        edit(
            &text,
            "      description: Fetches one user of the account.\n",
            "      description: Fetches a single user of the account.\n",
        ),
    )
    .unwrap();
    let report = settings.write_to(&out).unwrap_or_else(|e| panic!("{e}"));
    let users = "src/resources/zero_trust/access/users.rs";
    assert_eq!(report.changes.changed, [users]);
    assert!(report.changes.added.is_empty() && report.changes.stale.is_empty(), "{:?}", report.changes);

    let after = support::read_tree(&out);
    let got = changes(&before, &after);
    let want: BTreeMap<String, Vec<String>> = [(
        users.to_string(),
        vec![
            "-/// Fetches one user of the account.".to_string(),
            "+/// Fetches a single user of the account.".to_string(),
        ],
    )]
    .into();
    assert!(got == want, "the folder's diff is not the one doc line:\n{}", show(&got));
}

// Name collisions. Enum variants are ranked by value, not position, so an added value never
// renames an existing variant. Component schemas claim their names before any inline schema
// is named, so an inline schema added later never renames a component; the other way round (a
// new component taking a name an inline type had) renames the inline type, and is reported as a
// `type-name-collision` diagnostic at that schema; the config's `types:` pins the name.

#[test]
fn adding_an_enum_value_whose_name_collides_does_not_rename_the_existing_variant() {
    let base = with_user_property(
        &spec_text(),
        "        status:\n          type: string\n          enum:\n          - on_hold\n",
    );
    let after = edit(
        &base,
        "          - on_hold\n",
        "          - on-hold\n          - on_hold\n",
    );
    assert_local(
        "colliding enum value",
        &base,
        &after,
        &[
            ("api.md", &["+- `OnHold2` = `on-hold`"]),
            (
                "src/models.rs",
                &[
                    "+/// `on-hold`",
                    "+OnHold2 = \"on-hold\",",
                ],
            ),
        ],
    );
}

#[test]
fn adding_an_inline_schema_whose_name_collides_does_not_rename_the_component() {
    // Base: a component `identity_idp_owner` (Rust `IdentityIdpOwner`) used by `User`.
    let base = edit(
        &with_user_property(
            &spec_text(),
            "        owner:\n          $ref: '#/components/schemas/identity_idp_owner'\n",
        ),
        "    access_uuid:\n",
        "    identity_idp_owner:\n      type: object\n      properties:\n        vendor:\n          type: string\n    access_uuid:\n",
    );
    // After: `Identity.idp` gains an inline `owner` object, whose derived name is also
    // `IdentityIdpOwner`.
    let after = edit(
        &base,
        "        idp:\n          type: object\n          properties:\n",
        "        idp:\n          type: object\n          properties:\n            owner:\n              type: object\n              properties:\n                name:\n                  type: string\n",
    );
    let got = changes(&generate_text(&base), &generate_all(&after).files);
    let models = got.get("src/models.rs").cloned().unwrap_or_default();
    assert!(
        !models.iter().any(|l| l.contains("pub struct IdentityIdpOwner {") || l.contains("Option<IdentityIdpOwner>")),
        "the component's type was renamed or reused:\n{}",
        show(&got)
    );
    assert!(
        models.iter().any(|l| l == "+pub struct IdentityIdpOwner2 {"),
        "the new inline type takes a suffixed name:\n{}",
        show(&got)
    );
    assert!(got["api.md"].contains(&"+### `models::IdentityIdpOwner2` (struct) (`#[non_exhaustive]`)".to_string()), "{}", show(&got));
    assert_eq!(got.len(), 2, "models.rs and api.md change: {}", show(&got));
}

#[test]
fn a_new_component_taking_an_inline_types_name_is_reported() {
    let base = spec_text();
    let after = edit(
        &with_user_property(&base, "        provider:\n          $ref: '#/components/schemas/identity_idp'\n"),
        "    access_uuid:\n",
        "    identity_idp:\n      type: object\n      properties:\n        vendor:\n          type: string\n    access_uuid:\n",
    );
    let generated = generate_all(&after);
    assert!(
        generated
            .diagnostics
            .iter()
            .any(|d| d.code == "type-name-collision" && d.pointer == "/components/schemas/access_identity/properties/idp"),
        "{:?}",
        generated.diagnostics
    );
}

const DELETE_SESSION: &str = "      x-fern-sdk-group-name: zero-trust.access.users.active-sessions
      x-fern-sdk-method-name: get
    delete:
      operationId: zero-trust-users-revoke-active-session
      summary: Revoke an active session
      description: Ends one active session of a user.
      parameters:
      - name: user_id
        in: path
        required: true
        schema:
          $ref: '#/components/schemas/access_uuid'
      - name: account_id
        in: path
        required: true
        schema:
          $ref: '#/components/schemas/access_identifier'
      - name: nonce
        in: path
        required: true
        schema:
          $ref: '#/components/schemas/access_nonce'
      responses:
        '200':
          description: The session was revoked.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/access_delete_user_response'
      x-fern-sdk-group-name: zero-trust.access.users.active-sessions
      x-fern-sdk-method-name: delete
";
