//! Fatal inputs: each row of the input-error table runs the real binary and checks the exit code,
//! that the message names the file and the place in it, and that the output folder is untouched.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

use support::snapshot;

const BIN: &str = env!("CARGO_BIN_EXE_openapi-rustgen");

/// A scratch folder with an output folder that already holds a file, so "untouched" can be seen.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("src")).unwrap();
        std::fs::write(out.join("Cargo.toml"), "# hand-written, must survive\n").unwrap();
        std::fs::write(out.join("src/lib.rs"), "// keep me\n").unwrap();
        Case { dir }
    }

    /// For a run that succeeds: the output folder holds only a hand-written test beside where
    /// the crate goes (the generator refuses to overwrite hand-written `Cargo.toml`/`lib.rs`).
    fn for_success() -> Case {
        let case = Case::new();
        let out = case.out();
        std::fs::remove_file(out.join("Cargo.toml")).unwrap();
        std::fs::remove_file(out.join("src/lib.rs")).unwrap();
        std::fs::create_dir_all(out.join("tests")).unwrap();
        std::fs::write(out.join("tests/mine.rs"), "// hand-written, must survive\n").unwrap();
        case
    }

    fn assert_hand_written_kept(&self) {
        let mine = std::fs::read_to_string(self.out().join("tests/mine.rs")).unwrap();
        assert_eq!(mine, "// hand-written, must survive\n");
    }

    fn spec(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn run(&self, spec: &Path, extra: &[&str]) -> (i32, String, String) {
        let before = snapshot(&self.out());
        let output = Command::new(BIN)
            .arg("--spec")
            .arg(spec)
            .arg("--out")
            .arg(self.out())
            .args(extra)
            .output()
            .expect("run the generator");
        let code = output.status.code().expect("exit code, not a signal");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(!stderr.contains("panicked"), "the generator panicked:\n{stderr}");
        if code != 0 {
            support::assert_same(&format!("exit {code}: {stderr}"), &before, &snapshot(&self.out()));
        }
        (code, stdout, stderr)
    }
}

/// Runs a fatal case: exit 2, the message contains every `needles` item.
fn fatal(name: &str, bytes: &[u8], needles: &[&str]) -> String {
    let case = Case::new();
    let spec = case.spec(name, bytes);
    let (code, _, stderr) = case.run(&spec, &[]);
    assert_eq!(code, 2, "exit code for {name}; stderr:\n{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "message for {name} lacks {n:?}:\n{stderr}");
    }
    stderr
}

const MINIMAL_HEAD: &str = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\n";

#[test]
fn yaml_syntax_error_names_line_and_column() {
    let text = format!("{MINIMAL_HEAD}paths:\n  /a:\n    get: [unclosed\n");
    fatal("bad.yaml", text.as_bytes(), &["bad.yaml:8:1", "YAML syntax error"]);
}

#[test]
fn json_syntax_error_names_line_and_column() {
    let text = "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"T\" \"version\": \"1\"}\n}\n";
    fatal("bad.json", text.as_bytes(), &["bad.json:3:", "JSON syntax error"]);
}

#[test]
fn empty_file_says_what_was_expected() {
    fatal("empty.yaml", b"", &["empty.yaml", "empty", "OpenAPI 3.x"]);
    fatal("blank.yaml", b"  \n\n", &["blank.yaml", "OpenAPI 3.x"]);
}

#[test]
fn binary_garbage_says_what_was_expected() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80).collect();
    fatal("garbage.bin", &garbage, &["garbage.bin", "not a text document", "OpenAPI 3.x"]);
}

#[test]
fn json_array_says_an_object_was_expected() {
    fatal("array.json", b"[1, 2, 3]\n", &["array.json", "an array", "expected an object"]);
    fatal("scalar.yaml", b"42\n", &["scalar.yaml", "a number", "expected an object"]);
}

#[test]
fn swagger_2_is_read() {
    let case = Case::for_success();
    let text = "swagger: '2.0'\ninfo:\n  title: T\n  version: '1'\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          schema: {type: string, x-nullable: true}\n";
    let spec = case.spec("swagger.yaml", text.as_bytes());
    let (code, _, stderr) = case.run(&spec, &[]);
    assert_eq!(code, 0, "{stderr}");
    case.assert_hand_written_kept();
    // Unquoted, YAML reads `2.0` as a number.
    fatal("number.yaml", text.replace("'2.0'", "2.0").as_bytes(), &["number.yaml:1:", "`swagger` is a number", "quoted"]);
}

#[test]
fn invalid_swagger_2_names_the_member_and_its_line() {
    let head = "swagger: '2.0'\ninfo:\n  title: T\n  version: '1'\n";
    let op = |params: &str| format!("{head}paths:\n  /a:\n    post:\n      parameters:\n{params}      responses:\n        '204': {{description: ok}}\n");
    let body = "        - {name: a, in: body, schema: {type: string}}\n";
    let form = "        - {name: f, in: formData, type: string}\n";
    fatal("two-bodies.yaml", op(&format!("{body}{}", body.replace("name: a", "name: b"))).as_bytes(), &["two-bodies.yaml:10:", "invalid Swagger 2.0", "/paths/~1a/post/parameters/1", "at most one `in: body`"]);
    fatal("body-form.yaml", op(&format!("{body}{form}")).as_bytes(), &["body-form.yaml:10:", "/paths/~1a/post/parameters/1", "both an `in: body`"]);
    fatal("in.yaml", op("        - {name: c, in: cookie, type: string}\n").as_bytes(), &["in.yaml:9:", "/paths/~1a/post/parameters/0/in", "formData, body"]);
    fatal("no-type.yaml", op("        - {name: q, in: query}\n").as_bytes(), &["no-type.yaml:9:", "/paths/~1a/post/parameters/0", "needs a `type`"]);
    fatal("file.yaml", op("        - {name: q, in: query, type: file}\n").as_bytes(), &["file.yaml:9:", "/paths/~1a/post/parameters/0/type"]);
    fatal("no-schema.yaml", op("        - {name: b, in: body}\n").as_bytes(), &["no-schema.yaml:9:", "needs a `schema`"]);
    fatal("missing-ref.yaml", op("        - $ref: '#/parameters/nope'\n").as_bytes(), &["missing-ref.yaml:9:", "/paths/~1a/post/parameters/0/$ref", "names no entry"]);
    fatal("no-paths.yaml", head.as_bytes(), &["no-paths.yaml:1:", "`paths` member is missing"]);
    fatal("host.yaml", format!("{head}host: 'https://a.example/x'\npaths: {{}}\n").as_bytes(), &["host.yaml:5:", "/host", "no scheme"]);
    let defs = format!("{head}paths: {{}}\ndefinitions:\n  A:\n    type: object\n    properties:\n      b: {{type: string, x-nullable: 1}}\n");
    fatal("nullable.yaml", defs.as_bytes(), &["nullable.yaml:10:", "/definitions/A/properties/b/x-nullable", "a boolean"]);
    let missing = format!("{head}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          schema: {{$ref: '#/definitions/Nope'}}\n");
    fatal(
        "missing-def.yaml",
        missing.as_bytes(),
        &[
            "missing-def.yaml:11:",
            "/paths/~1a/get/responses/200/schema/$ref",
            "#/definitions/Nope",
            "under `definitions`",
        ],
    );
    // Inside `definitions` and in a body parameter, the pointer is the 2.0 place as written.
    let nested = format!("{head}paths:\n  /a:\n    post:\n      parameters:\n        - {{name: b, in: body, schema: {{$ref: '#/definitions/A'}}}}\n      responses:\n        '200': {{description: ok}}\ndefinitions:\n  A:\n    type: object\n    properties:\n      x: {{$ref: '#/definitions/Gone'}}\n");
    fatal(
        "missing-nested.yaml",
        nested.as_bytes(),
        &[
            "missing-nested.yaml:16:",
            "at /definitions/A/properties/x/$ref",
            "`$ref: #/definitions/Gone`",
            "under `definitions`",
        ],
    );
    let body = format!("{head}paths:\n  /a:\n    post:\n      parameters:\n        - {{name: b, in: body, schema: {{$ref: '#/definitions/Body'}}}}\n      responses:\n        '200': {{description: ok}}\n");
    fatal(
        "missing-body.yaml",
        body.as_bytes(),
        &[
            "missing-body.yaml:9:",
            "at /paths/~1a/post/parameters/0/schema/$ref",
            "`$ref: #/definitions/Body`",
        ],
    );
    let oauth = format!("{head}paths: {{}}\nsecurityDefinitions:\n  o: {{type: oauth2, flow: implicit, scopes: {{}}}}\n");
    fatal("oauth.yaml", oauth.as_bytes(), &["oauth.yaml:7:", "/securityDefinitions/o", "authorizationUrl"]);
}

#[test]
fn versions_other_than_3_0_to_3_2_are_refused_naming_the_version() {
    let doc = |version: &str| format!("{version}\ninfo:\n  title: T\n  version: '1'\npaths: {{}}\n");
    fatal("v4.yaml", doc("openapi: 4.0.0").as_bytes(), &["v4.yaml", "version 4.0.0 is not supported", "3.0.x, 3.1.x and 3.2.x"]);
    fatal("v12.yaml", doc("swagger: '1.2'").as_bytes(), &["v12.yaml", "version Swagger 1.2 is not supported"]);
    fatal("v33.yaml", doc("openapi: 3.3.0").as_bytes(), &["v33.yaml", "3.3.0"]);
    // Unquoted, YAML reads `3.1` as a number.
    fatal("number.yaml", doc("openapi: 3.1").as_bytes(), &["number.yaml:1:", "a number", "quoted"]);
}

#[test]
fn openapi_3_1_and_3_2_are_read() {
    for version in ["3.1.0", "3.1.1", "3.2.0"] {
        let case = Case::for_success();
        let text = format!("openapi: {version}\ninfo:\n  title: T\n  version: '1'\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: [string, 'null']}}\n");
        let spec = case.spec("v3x.yaml", text.as_bytes());
        let (code, _, stderr) = case.run(&spec, &[]);
        assert_eq!(code, 0, "{version}: {stderr}");
        case.assert_hand_written_kept();
    }
}

#[test]
fn invalid_3_1_names_the_member_and_its_line() {
    let head = "openapi: 3.1.0\ninfo:\n  title: T\n  version: '1'\n";
    let schema = |s: &str| format!("{head}components:\n  schemas:\n    A:\n      type: object\n      properties:\n        b:\n{s}");
    fatal("type.yaml", schema("          type: [string, 5]\n").as_bytes(), &["type.yaml:11:", "invalid OpenAPI 3.1", "/components/schemas/A/properties/b/type/1"]);
    fatal("pattern.yaml", schema("          type: string\n          pattern: 0\n").as_bytes(), &["pattern.yaml:12:", "/components/schemas/A/properties/b/pattern", "`pattern` must be a string"]);
    fatal("ref.yaml", schema("          $ref: 7\n").as_bytes(), &["ref.yaml:11:", "/components/schemas/A/properties/b/$ref"]);
    let path = format!("{head}paths:\n  /a/{{id}}:\n    get:\n      parameters:\n        - {{name: id, in: path, schema: {{type: string}}}}\n");
    fatal("path.yaml", path.as_bytes(), &["path.yaml:9:", "/paths/~1a~1{id}/get/parameters/0", "required: true"]);
    fatal("nothing.yaml", head.as_bytes(), &["nothing.yaml:1:", "none of `paths`, `components` and `webhooks`"]);
    let method = "openapi: 3.2.0\ninfo:\n  title: T\n  version: '1'\npaths:\n  /a:\n    additionalOperations:\n      'BAD METHOD': {responses: {}}\n";
    fatal("method.yaml", method.as_bytes(), &["method.yaml:8:", "invalid OpenAPI 3.2", "token"]);
}

#[test]
fn invalid_3_0_schema_members_are_named_exactly() {
    // openapiv3's untagged schema types stop its path at the schema; the pointer reaches the key.
    let text = format!("{MINIMAL_HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Clip:\n      type: object\n      properties:\n        timecode:\n          type: string\n          pattern: 0\n");
    fatal("pattern.yaml", text.as_bytes(), &["pattern.yaml:13:", "invalid OpenAPI 3.0", "/components/schemas/Clip/properties/timecode/pattern"]);
}

#[test]
fn a_callback_given_by_ref_is_valid_3_0() {
    let case = Case::for_success();
    let text = format!("{MINIMAL_HEAD}paths:\n  /a:\n    post:\n      operationId: postA\n      callbacks:\n        done:\n          $ref: '#/components/callbacks/Done'\n      responses:\n        '204': {{description: ok}}\ncomponents:\n  callbacks:\n    Done:\n      '{{$request.body#/url}}':\n        post:\n          responses:\n            '200': {{description: ok}}\n");
    let spec = case.spec("callbacks.yaml", text.as_bytes());
    let (code, _, stderr) = case.run(&spec, &[]);
    assert_eq!(code, 0, "{stderr}");
}

/// JSON 3.0 is validated as YAML is: an error names its line and the member inside the schema,
/// and a callback `$ref` (which openapiv3's model refuses but OpenAPI allows) passes.
#[test]
fn json_3_0_errors_and_callback_refs_are_read_as_yaml_ones_are() {
    let json = |extra_paths: &str, components: &str| {
        format!(
            "{{\n  \"openapi\": \"3.0.3\",\n  \"info\": {{\"title\": \"T\", \"version\": \"1\"}},\n  \"paths\": {{{extra_paths}}},\n  \"components\": {components}\n}}\n"
        )
    };
    let bad = json("", "{\"schemas\": {\"Clip\": {\"type\": \"object\", \"properties\": {\"timecode\": {\n    \"type\": \"string\",\n    \"pattern\": 0}}}}}");
    fatal("pattern.json", bad.as_bytes(), &["pattern.json:7:", "invalid OpenAPI 3.0", "/components/schemas/Clip/properties/timecode/pattern"]);

    let case = Case::for_success();
    let paths = "\"/a\": {\"post\": {\"operationId\": \"postA\", \"callbacks\": {\"done\": {\"$ref\": \"#/components/callbacks/Done\"}}, \"responses\": {\"204\": {\"description\": \"ok\"}}}}";
    let components = "{\"callbacks\": {\"Done\": {\"{$request.body#/url}\": {\"post\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}}}}";
    let spec = case.spec("callbacks.json", json(paths, components).as_bytes());
    let (code, _, stderr) = case.run(&spec, &[]);
    assert_eq!(code, 0, "{stderr}");
}

fn ref_doc(reference: &str) -> String {
    format!(
        "{MINIMAL_HEAD}paths:\n  /things:\n    get:\n      operationId: listThings\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '{reference}'\n"
    )
}

#[test]
fn missing_component_ref_is_named_with_its_place() {
    let stderr = fatal(
        "missing.yaml",
        ref_doc("#/components/schemas/Nope").as_bytes(),
        &["missing.yaml:15", "#/components/schemas/Nope", "/paths/~1things/get/responses/200"],
    );
    assert!(stderr.contains("points to nothing"), "{stderr}");
}

#[test]
fn external_file_ref_is_named_with_its_place() {
    fatal("external.yaml", ref_doc("other.yaml#/Thing").as_bytes(), &["external.yaml:15", "other.yaml#/Thing", "another file or URL"]);
}

#[test]
fn url_ref_is_named_with_its_place() {
    fatal(
        "url.yaml",
        ref_doc("https://example.com/schemas.json#/Thing").as_bytes(),
        &["url.yaml:15", "https://example.com/schemas.json#/Thing", "another file or URL"],
    );
}

#[test]
fn circular_alias_names_the_cycle() {
    let text = format!(
        "{}components:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n    B:\n      $ref: '#/components/schemas/A'\n",
        ref_doc("#/components/schemas/A")
    );
    fatal(
        "cycle.yaml",
        text.as_bytes(),
        &["cycle.yaml:", "circular", "#/components/schemas/A", "#/components/schemas/B"],
    );
}

#[test]
fn self_alias_names_the_cycle() {
    let text = format!("{}components:\n  schemas:\n    A:\n      $ref: '#/components/schemas/A'\n", ref_doc("#/components/schemas/A"));
    fatal("self.yaml", text.as_bytes(), &["self.yaml:", "circular", "#/components/schemas/A"]);
}

#[test]
fn duplicate_operation_id_warns_and_generates_both() {
    let text = format!(
        "{MINIMAL_HEAD}paths:\n  /a:\n    get:\n      operationId: getThing\n      tags: [things]\n      responses:\n        '204':\n          description: none\n  /b:\n    get:\n      operationId: getThing\n      tags: [things]\n      responses:\n        '204':\n          description: none\n"
    );
    let case = Case::for_success();
    let spec = case.spec("dup.yaml", text.as_bytes());
    let (code, _, stderr) = case.run(&spec, &[]);
    assert_eq!(code, 0, "{stderr}");
    case.assert_hand_written_kept();
    assert!(stderr.contains("warning[duplicate-operation-id]"), "{stderr}");
    assert!(stderr.contains("/paths/~1b/get/operationId"), "{stderr}");
    assert!(stderr.contains("line 15"), "{stderr}");
    let things = std::fs::read_to_string(case.out().join("src/resources/things.rs")).unwrap();
    assert!(things.contains("pub fn get(&self"), "{things}");
    assert!(things.contains("pub fn get_2(&self"), "{things}");
    assert!(things.contains("\"/a\"") && things.contains("\"/b\""), "{things}");

    // The same input with --deny-warnings fails and writes nothing.
    let case = Case::new();
    let spec = case.spec("dup.yaml", text.as_bytes());
    let (code, _, stderr) = case.run(&spec, &["--deny-warnings"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--deny-warnings"), "{stderr}");
}

#[test]
fn config_error_names_file_line_and_column() {
    let case = Case::new();
    let spec = case.spec("ok.yaml", format!("{MINIMAL_HEAD}paths: {{}}\n").as_bytes());
    let cfg = case.spec("codegen.yaml", b"crate:\n  name: x\nnot_a_key: 1\n");
    let (code, _, stderr) = case.run(&spec, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("codegen.yaml:3:"), "{stderr}");
}

#[test]
fn invalid_openapi_names_the_pointer_and_line() {
    let text = format!("{MINIMAL_HEAD}paths:\n  /a:\n    get:\n      responses: 7\n");
    // openapiv3's untagged path items stop its path at `/paths`; our checks find the member.
    fatal("invalid.yaml", text.as_bytes(), &["invalid.yaml:8", "at /paths/~1a/get/responses", "`responses` must be an object, found a number"]);
}

#[test]
fn missing_spec_file_is_an_input_error() {
    let case = Case::new();
    let (code, _, stderr) = case.run(&case.dir.path().join("absent.yaml"), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("absent.yaml"), "{stderr}");
}

/// A 50 MB document: many operations and schemas plus bulky descriptions. It must generate (or
/// fail cleanly); it must never exhaust memory or panic.
#[test]
fn fifty_megabyte_document_generates() {
    let mut doc = String::with_capacity(52 << 20);
    doc.push_str("{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Big\",\"version\":\"1\"},\"paths\":{");
    let filler = "x".repeat(2_000);
    let ops = 1_000;
    for i in 0..ops {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!(
            "\"/things{i}/{{id}}\":{{\"get\":{{\"operationId\":\"getThing{i}\",\"tags\":[\"t{}\"],\"parameters\":[{{\"name\":\"id\",\"in\":\"path\",\"required\":true,\"schema\":{{\"type\":\"string\"}}}}],\"responses\":{{\"200\":{{\"description\":\"ok\",\"content\":{{\"application/json\":{{\"schema\":{{\"$ref\":\"#/components/schemas/Thing{i}\"}}}}}}}}}}}}}}",
            i % 20
        ));
    }
    doc.push_str("},\"components\":{\"schemas\":{");
    for i in 0..ops {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!(
            "\"Thing{i}\":{{\"type\":\"object\",\"x-padding\":\"{filler}\",\"properties\":{{\"id\":{{\"type\":\"string\"}},\"n\":{{\"type\":\"integer\"}}}}}}"
        ));
    }
    doc.push_str("}},\"x-bulk\":[");
    let mut first = true;
    while doc.len() < 50 << 20 {
        if !first {
            doc.push(',');
        }
        first = false;
        doc.push('"');
        doc.push_str(&filler);
        doc.push('"');
    }
    doc.push_str("]}");
    assert!(doc.len() >= 50 << 20);
    let case = Case::for_success();
    let spec = case.spec("big.json", doc.as_bytes());
    drop(doc);
    let (code, stdout, stderr) = case.run(&spec, &[]);
    assert_eq!(code, 0, "{stderr}");
    case.assert_hand_written_kept();
    assert!(stdout.contains("added"), "{stdout}");
    let models = std::fs::read_to_string(case.out().join("src/models.rs")).unwrap();
    assert!(models.contains("pub struct Thing999"));
}
