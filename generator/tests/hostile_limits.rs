//! Documents built to exhaust the generator: schemas that nest thousands of levels deep through
//! `$ref`s, YAML that nests deeply, documents whose cost used to grow with the square of their
//! size, and path items that are `$ref`s. Each runs the real binary (or, for spec-diff, this test
//! binary in a child process) under a time limit, so a crash or a runaway shows as a failure
//! with a message instead of taking the test run down.
//!
//! The large documents are generated here at run time. Limits are for a debug build on a loaded
//! two-core machine; release runs take a fraction of them.

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::Outcome;

/// Wall-clock limit for one run, which only stops a hang: what each run must stay within is
/// `SECS` of CPU time, which a busy machine does not stretch. A loaded two-core machine ran the
/// 100,000-property document in 45 s of wall time for 12.5 s of CPU, so the limit sits well above that.
const LIMIT: Duration = Duration::from_secs(120);

/// Time and memory every one of these documents must stay within (debug build). The CPU time
/// is summed over the generator's threads (up to four make the files), which costs a few
/// seconds more than one thread on the 10,000-resource document (20.9 s there, from about 16 s
/// on one); a quadratic step (42 s and 54 s for the cases below before they were fixed) still
/// goes past it.
const SECS: f64 = 30.0;
const MB: u64 = 1024;

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

fn op_returning(schema: &str) -> String {
    format!(
        "paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/{schema}'}}\n"
    )
}

/// A scratch folder holding `name` with `text`, and an output folder beside it.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn spec(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write spec");
        p
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn generate(&self, name: &str, text: &str) -> Outcome {
        let spec = self.spec(name, text);
        support::generate(&spec, &self.out(), &[], LIMIT)
    }
}

/// Exit 2 within the limits, a message that says the document nests too deeply at a pointer
/// (and its line), and no output folder.
fn assert_too_deep(what: &str, s: &Scratch, o: &Outcome, pointer_start: &str) {
    o.assert_bounded(what, SECS, MB);
    assert_eq!(o.code, Some(2), "{what}: exit code; stderr:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("nests too deeply"), "{what}: message:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains(pointer_start), "{what}: message names no pointer {pointer_start:?}:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains(".yaml:"), "{what}: message names no file and line:\n{}", support::tail(&o.stderr));
    assert!(!s.out().exists(), "{what}: an output folder was written");
}

/// 5,000 schemas, each an object whose property is a `$ref` to the next (about 450 KB).
fn property_chain(n: usize) -> String {
    let mut s = format!("{HEAD}{}components:\n  schemas:\n", op_returning("S0"));
    for i in 0..n {
        let next = if i + 1 < n { format!("{{$ref: '#/components/schemas/S{}'}}", i + 1) } else { "{type: string}".into() };
        let _ = write!(s, "    S{i}:\n      type: object\n      properties:\n        next: {next}\n");
    }
    s
}

#[test]
fn property_ref_chain_5000_deep_is_refused_naming_the_pointer() {
    let s = Scratch::new();
    let text = property_chain(5000);
    let o = s.generate("limits-props.yaml", &text);
    assert_too_deep("5,000 chained property $refs", &s, &o, "at /components/schemas/S");
}

#[test]
fn array_ref_chain_2000_deep_is_refused_naming_the_pointer() {
    let s = Scratch::new();
    let n = 2000;
    let mut text = format!("{HEAD}{}components:\n  schemas:\n", op_returning("A0"));
    for i in 0..n {
        let next = if i + 1 < n { format!("{{$ref: '#/components/schemas/A{}'}}", i + 1) } else { "{type: string}".into() };
        let _ = write!(text, "    A{i}:\n      type: array\n      items: {next}\n");
    }
    let o = s.generate("limits-arrays.yaml", &text);
    assert_too_deep("2,000 nested array $refs", &s, &o, "at /components/schemas/A");
}

#[test]
fn one_of_chain_20000_long_is_refused_naming_the_pointer() {
    let s = Scratch::new();
    let n = 20_000;
    let mut text = format!("{HEAD}{}components:\n  schemas:\n", op_returning("U0"));
    for i in 0..n {
        let next = if i + 1 < n { format!("{{$ref: '#/components/schemas/U{}'}}", i + 1) } else { "{type: integer}".into() };
        let _ = write!(text, "    U{i}:\n      oneOf: [{{type: string}}, {next}]\n");
    }
    let o = s.generate("limits-oneof.yaml", &text);
    assert_too_deep("a 20,000-long oneOf chain", &s, &o, "at /components/schemas/U");
}

#[test]
fn alias_ref_chain_20000_long_is_refused_naming_the_pointer() {
    let s = Scratch::new();
    let n = 20_000;
    let mut text = format!("{HEAD}{}components:\n  schemas:\n", op_returning("R0"));
    for i in 0..n {
        let next = if i + 1 < n { format!("{{$ref: '#/components/schemas/R{}'}}", i + 1) } else { "{type: string}".into() };
        let _ = writeln!(text, "    R{i}: {next}");
    }
    let o = s.generate("limits-aliases.yaml", &text);
    assert_too_deep("a 20,000-long chain of $ref aliases", &s, &o, "at /components/schemas/R");
}

/// 100,000 `[` then 100,000 `]` (200 KB): the YAML parser's cost grew with the square of the
/// nesting (63 s) before the depth was checked.
#[test]
fn yaml_flow_nesting_100000_deep_fails_fast() {
    let s = Scratch::new();
    let n = 100_000;
    let text = format!("{HEAD}paths: {{}}\nx-deep: {}{}\n", "[".repeat(n), "]".repeat(n));
    let o = s.generate("limits-flow.yaml", &text);
    o.assert_bounded("100,000-deep YAML flow nesting", SECS, MB);
    assert_eq!(o.code, Some(2), "exit code; stderr:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("nests too deeply") && o.stderr.contains("limits-flow.yaml:4:"), "message:\n{}", support::tail(&o.stderr));
}

/// Block nesting and flow mappings are refused the same way; nesting within the limit loads.
#[test]
fn yaml_nesting_within_the_limit_loads_and_beyond_it_is_refused() {
    let s = Scratch::new();
    let ok = format!("{HEAD}paths: {{}}\nx-ok: {}{}\n", "{a: ".repeat(100), "}".repeat(100));
    let o = s.generate("limits-flow-ok.yaml", &ok);
    o.assert_bounded("100-deep flow mappings", SECS, MB);
    assert_eq!(o.code, Some(0), "stderr:\n{}", support::tail(&o.stderr));
    let deep = format!("{HEAD}paths: {{}}\nx-deep: {}{}\n", "{a: ".repeat(50_000), "}".repeat(50_000));
    let o = s.generate("limits-flow-map.yaml", &deep);
    o.assert_bounded("50,000-deep flow mappings", SECS, MB);
    assert_eq!(o.code, Some(2), "stderr:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("nests too deeply"), "message:\n{}", support::tail(&o.stderr));
}

/// 300 operations with a diagnostic each (a cookie whose name is not a token), then a 20 MB
/// run of digits: every diagnostic's line used to be found by scanning the text from the top,
/// once per candidate match of each pointer token (`0` matches every byte of the blob).
#[test]
fn diagnostics_beside_a_20_mb_blob_are_located_in_linear_time() {
    let s = Scratch::new();
    let mut text = format!("{HEAD}paths:\n");
    for i in 0..300 {
        let _ = write!(
            text,
            "  /p{i}:\n    get:\n      operationId: op{i}\n      parameters:\n        - {{name: 'c d', in: cookie, schema: {{type: string}}}}\n      responses:\n        '200': {{description: ok}}\n"
        );
    }
    text.push_str("x-blob: '");
    text.push_str(&"0".repeat(20_000_000));
    text.push_str("'\n");
    let o = s.generate("limits-blob.yaml", &text);
    o.assert_bounded("300 diagnostics and a 20 MB blob", SECS, MB);
    assert_eq!(o.code, Some(0), "stderr:\n{}", support::tail(&o.stderr));
    // The located diagnostics still carry their line: the parameter's own.
    assert!(o.stderr.contains("(at /paths/~1p0/get/parameters/0, line 8)"), "no line for the first diagnostic:\n{}", &o.stderr[..o.stderr.len().min(2000)]);
}

/// A 10 MB member of 200,000 keys before the paths: locating the diagnostics parses the whole
/// text once and follows only the branches their pointers name.
#[test]
fn diagnostics_after_200000_keys_are_located_in_linear_time() {
    let s = Scratch::new();
    let mut text = format!("{HEAD}x-wide:\n");
    for i in 0..200_000 {
        let _ = writeln!(text, "  key-{i:06}-{}: {{a: [1, 2], 'b': \"c\"}}", "x".repeat(14));
    }
    assert!(text.len() > 10_000_000, "{} bytes", text.len());
    text.push_str("paths:\n");
    for i in 0..50 {
        let _ = write!(
            text,
            "  /p{i}:\n    get:\n      operationId: op{i}\n      parameters:\n        - {{name: 'c d', in: cookie, schema: {{type: string}}}}\n      responses:\n        '200': {{description: ok}}\n"
        );
    }
    let o = s.generate("limits-keys.yaml", &text);
    o.assert_bounded("200,000 keys then 50 diagnostics", SECS, MB);
    assert_eq!(o.code, Some(0), "stderr:\n{}", support::tail(&o.stderr));
    let first = text.lines().position(|l| l == "  /p0:").expect("the first path") + 5;
    let want = format!("(at /paths/~1p0/get/parameters/0, line {first})");
    assert!(o.stderr.contains(&want), "no {want}:\n{}", &o.stderr[..o.stderr.len().min(2000)]);
}

#[test]
fn enum_of_200000_values_generates_in_linear_time() {
    let s = Scratch::new();
    let values: Vec<String> = (0..200_000).map(|i| format!("v{i}")).collect();
    let text = format!(
        "{HEAD}{}components:\n  schemas:\n    E:\n      type: string\n      enum: [{}]\n",
        op_returning("E"),
        values.join(", ")
    );
    let o = s.generate("limits-enum.yaml", &text);
    o.assert_bounded("a 200,000-value enum", SECS, MB);
    assert_eq!(o.code, Some(0), "stderr:\n{}", support::tail(&o.stderr));
    let models = std::fs::read_to_string(s.out().join("src/models.rs")).expect("models.rs");
    assert!(models.contains("V199999") && models.contains("\"v199999\""), "the last value is missing");
}

/// A group name with 20,000 dots once made a 20,000-level resource tree, and overflowed the
/// stack emitting it; levels beyond the limit are now joined into the last one, with a warning.
#[test]
fn resource_group_20000_levels_deep_is_folded() {
    let s = Scratch::new();
    let group: Vec<String> = (0..20_000).map(|i| format!("g{i}")).collect();
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: getA\n      x-fern-sdk-group-name: {}\n      responses:\n        '204': {{description: ok}}\n",
        group.join(".")
    );
    let o = s.generate("limits-group.yaml", &text);
    o.assert_bounded("a 20,000-level group name", SECS, MB);
    assert_eq!(o.code, Some(0), "stderr:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("warning[deep-resource]"), "stderr:\n{}", support::tail(&o.stderr));
    let files = support::read_tree(&s.out().join("src/resources"));
    let deepest = files.keys().map(|rel| rel.split('/').count()).max().unwrap_or(0);
    assert_eq!(deepest, generator::MAX_RESOURCE_DEPTH, "files nest {deepest} levels below src/resources");
}

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile").join(name)
}

/// Path items that are `$ref`s (to a reusable item, and to another path's item) are followed:
/// their operations are generated, under the path that refers to them.
#[test]
fn path_item_refs_are_followed() {
    let s = Scratch::new();
    let spec = hostile("limits-path-item-ref.yaml");
    let o = support::generate(&spec, &s.out(), &[], LIMIT);
    o.assert_bounded("path item refs", SECS, MB);
    assert_eq!(o.code, Some(0), "stderr:\n{}", support::tail(&o.stderr));
    let things = std::fs::read_to_string(s.out().join("src/resources/things.rs")).expect("things.rs");
    for needle in ["pub fn list(", "pub fn retrieve(", "\"/things\"", "\"/others\"", "pub fn list_2("] {
        assert!(things.contains(needle), "{needle:?} missing from things.rs:\n{things}");
    }
}

/// A path item `$ref` that dangles, leaves the document or loops is an error naming the pointer,
/// like a schema `$ref`.
#[test]
fn bad_path_item_refs_are_errors_naming_the_pointer() {
    for (file, needles) in [
        ("limits-path-item-missing.yaml", &["limits-path-item-missing.yaml:", "/paths/~1a/$ref", "points to nothing"][..]),
        ("limits-path-item-external.yaml", &["limits-path-item-external.yaml:", "/paths/~1a/$ref", "another file"][..]),
        ("limits-path-item-cycle.yaml", &["limits-path-item-cycle.yaml:", "circular", "#/paths/~1a", "#/paths/~1b"][..]),
    ] {
        let s = Scratch::new();
        let o = support::generate(&hostile(file), &s.out(), &[], LIMIT);
        o.assert_bounded(file, SECS, MB);
        assert_eq!(o.code, Some(2), "{file}: stderr:\n{}", support::tail(&o.stderr));
        for n in needles {
            assert!(o.stderr.contains(n), "{file}: message lacks {n:?}:\n{}", o.stderr);
        }
        assert!(!s.out().exists(), "{file}: an output folder was written");
    }
}

/// The spec-diff part, run in a child process (this test binary, one test, with
/// `HOSTILE_DIFF_CHILD` set) so a stack overflow is a failed test, not a dead test run.
fn diff_in_child(test: &str) -> Outcome {
    let exe = std::env::current_exe().expect("test binary");
    let o = support::run_program(
        exe.as_os_str(),
        &[test.as_ref(), "--exact".as_ref(), "--nocapture".as_ref(), "--test-threads=1".as_ref()],
        &[("HOSTILE_DIFF_CHILD", "1")],
        Path::new(env!("CARGO_MANIFEST_DIR")),
        LIMIT,
    );
    o.assert_bounded(test, SECS, MB);
    assert_eq!(o.code, Some(0), "{test} in a child process:\n{}", support::tail(&o.stdout));
    o
}

fn load(name: &str, text: &str) -> generator::Document {
    generator::load_bytes(name, text.as_bytes()).expect("loads")
}

#[test]
fn spec_diff_of_deeply_nested_documents_does_not_crash() {
    if std::env::var_os("HOSTILE_DIFF_CHILD").is_none() {
        diff_in_child("spec_diff_of_deeply_nested_documents_does_not_crash");
        return;
    }
    let old = load("old.yaml", &property_chain(5000));
    let new = load("new.yaml", &property_chain(5000).replace("next: {type: string}", "next: {type: integer}"));
    let report = generator::diff::diff_documents(&old, &new);
    let deep: Vec<_> = report.changes.iter().filter(|c| c.kind == generator::diff::ChangeKind::NestingTooDeep).collect();
    assert!(!deep.is_empty(), "no nesting-too-deep change: {:?}", report.changes);
    assert!(deep[0].location.starts_with("/components/schemas/S"), "{:?}", deep[0]);
    // An alias chain as long is cut the same way.
    let mut aliases = format!("{HEAD}{}components:\n  schemas:\n", op_returning("R0"));
    for i in 0..20_000 {
        let _ = writeln!(aliases, "    R{i}: {{$ref: '#/components/schemas/R{}'}}", i + 1);
    }
    aliases.push_str("    R20000: {type: string}\n");
    let a = load("a.yaml", &aliases);
    let b = load("b.yaml", &aliases.replace("R20000: {type: string}", "R20000: {type: integer}"));
    let report = generator::diff::diff_documents(&a, &b);
    assert!(report.changes.iter().any(|c| c.kind == generator::diff::ChangeKind::NestingTooDeep), "{:?}", report.changes);
}

#[test]
fn spec_diff_follows_path_item_refs() {
    if std::env::var_os("HOSTILE_DIFF_CHILD").is_none() {
        diff_in_child("spec_diff_follows_path_item_refs");
        return;
    }
    let text = std::fs::read_to_string(hostile("limits-path-item-ref.yaml")).expect("read");
    let old = load("old.yaml", &text);
    let new = load("new.yaml", &text.replace("operationId: listThings", "operationId: listAllThings"));
    let report = generator::diff::diff_documents(&old, &new);
    assert!(
        report.changes.iter().any(|c| c.kind == generator::diff::ChangeKind::OperationIdChanged && c.operation.as_deref() == Some("GET /things")),
        "{:?}",
        report.changes
    );
    for file in ["limits-path-item-cycle.yaml", "limits-path-item-missing.yaml", "limits-path-item-external.yaml"] {
        let text = std::fs::read_to_string(hostile(file)).expect("read");
        let doc = load(file, &text);
        let _ = generator::diff::diff_documents(&doc, &doc);
    }
}

/// Wide rather than deep: one object with 100,000 properties (merging them searched the list
/// for each name: 42 s), 10,000 operations sharing an operationId (each duplicate searched the
/// numbered names from 2: 54 s for 20,000) and a oneOf of 20,000 parts.
#[test]
fn wide_documents_generate_in_linear_time() {
    let op = |schema: &str| format!("{HEAD}{}components:\n  schemas:\n", op_returning(schema));
    let mut props = op("W") + "    W:\n      type: object\n      properties:\n";
    for i in 0..100_000 {
        let _ = writeln!(props, "        p{i}: {{type: string}}");
    }
    // One tag puts them on one resource, where their names are numbered; untagged, each path
    // is a resource of its own.
    let mut dup = format!("{HEAD}paths:\n");
    let mut untagged = dup.clone();
    for i in 0..10_000 {
        let _ = write!(
            dup,
            "  /p{i}:\n    get:\n      operationId: same\n      tags: [t]\n      parameters: [{{name: q, in: query, schema: {{type: string}}}}]\n      responses: {{'200': {{description: ok}}}}\n"
        );
        let _ = write!(
            untagged,
            "  /p{i}:\n    get:\n      operationId: same\n      parameters: [{{name: q, in: query, schema: {{type: string}}}}]\n      responses: {{'200': {{description: ok}}}}\n"
        );
    }
    let mut one_of = op("W") + "    W:\n      oneOf:\n";
    for i in 0..20_000 {
        let _ = writeln!(one_of, "        - {{$ref: '#/components/schemas/O{i}'}}");
    }
    for i in 0..20_000 {
        let _ = writeln!(one_of, "    O{i}: {{type: object, properties: {{a{i}: {{type: string}}}}}}");
    }
    for (name, text, needle) in [
        ("limits-wide-props.yaml", props, "pub p99999: Option<String>"),
        ("limits-dup-ops.yaml", dup, "pub fn same_10000("),
        ("limits-wide-paths.yaml", untagged, "pub fn p9999("),
        ("limits-wide-oneof.yaml", one_of, "O19999(O19999)"),
    ] {
        let s = Scratch::new();
        let o = s.generate(name, &text);
        o.assert_bounded(name, SECS, MB);
        assert_eq!(o.code, Some(0), "{name}: stderr:\n{}", support::tail(&o.stderr));
        let mut all = String::new();
        let mut stack = vec![s.out().join("src")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read out").flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        assert!(all.contains(needle), "{name}: {needle:?} missing from the output");
    }
}

const HEAD_31: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

/// OpenAPI 3.1's names for schemas: a 10 MB `$id` and `$anchor` are not indexed (a warning
/// says so), and a chain of `$ref`s through `$anchor`s that closes on itself is refused as a
/// cycle, not followed forever.
#[test]
fn huge_ids_and_anchor_cycles_are_bounded() {
    let s = Scratch::new();
    let huge = "x".repeat(10 << 20);
    let text = format!("{HEAD_31}{}components:\n  schemas:\n    S:\n      $id: 'https://example.test/{huge}'\n      $anchor: '{huge}'\n      type: object\n      properties:\n        a: {{$ref: 'https://example.test/{huge}'}}\n", op_returning("S"));
    let o = s.generate("huge-id.yaml", &text);
    o.assert_bounded("huge $id", SECS, MB);
    assert_eq!(o.code, Some(2), "a reference to an unindexed `$id` is one to another document:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("refers to another file or URL"), "{}", support::tail(&o.stderr));
    assert!(o.stderr.len() < 4096, "the huge name is not printed whole: {} bytes", o.stderr.len());

    let s = Scratch::new();
    let mut text = format!("{HEAD_31}{}components:\n  schemas:\n", op_returning("A0"));
    let n = 2_000;
    for i in 0..n {
        let _ = write!(text, "    A{i}:\n      $anchor: a{i}\n      $ref: '#a{}'\n", (i + 1) % n);
    }
    let o = s.generate("anchor-cycle.yaml", &text);
    o.assert_bounded("anchor cycle", SECS, MB);
    assert_eq!(o.code, Some(2), "{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("circular `$ref`") || o.stderr.contains("nests too deeply"), "{}", support::tail(&o.stderr));
    assert!(!s.out().exists());

    // A cycle through `$defs` that passes through objects is recursion, and is boxed.
    let s = Scratch::new();
    let text = format!("{HEAD_31}{}components:\n  schemas:\n    T:\n      type: object\n      properties:\n        child: {{$ref: '#/components/schemas/T/$defs/Node'}}\n      $defs:\n        Node:\n          type: [object, 'null']\n          properties:\n            next: {{$ref: '#/components/schemas/T'}}\n", op_returning("T"));
    let o = s.generate("defs-cycle.yaml", &text);
    o.assert_bounded("$defs cycle", SECS, MB);
    assert_eq!(o.code, Some(0), "{}", support::tail(&o.stderr));
}

/// Schemas nested through `type` arrays (each level becomes `oneOf` alternatives) as deep as a
/// document may nest: refused naming the place, never a stack overflow.
#[test]
fn deep_type_arrays_are_refused_in_bounds() {
    let s = Scratch::new();
    let mut schema = String::from("{type: string}");
    for _ in 0..120 {
        schema = format!("{{type: [array, 'null', string], items: {schema}}}");
    }
    let text = format!("{HEAD_31}{}components:\n  schemas:\n    D: {schema}\n", op_returning("D"));
    let o = s.generate("deep-types.yaml", &text);
    o.assert_bounded("deep type arrays", SECS, MB);
    assert_eq!(o.code, Some(2), "{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("nests too deeply") && o.stderr.contains("/components/schemas/D"), "{}", support::tail(&o.stderr));
    assert!(!s.out().exists());
}

/// Swagger 2.0: the same 5,000-deep chain of property `$ref`s through `definitions` (which the
/// conversion moves to `components/schemas`), and `$ref`s that alias each other in a cycle,
/// are refused within the limits naming the place as written: `/definitions/…`.
#[test]
fn swagger_2_deep_and_cyclic_definitions_are_refused_naming_the_original_pointer() {
    let s = Scratch::new();
    let n = 5000;
    let mut text = String::from("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          schema: {$ref: '#/definitions/S0'}\ndefinitions:\n");
    for i in 0..n {
        let next = if i + 1 < n { format!("{{$ref: '#/definitions/S{}'}}", i + 1) } else { "{type: string}".into() };
        let _ = write!(text, "  S{i}:\n    type: object\n    properties:\n      next: {next}\n");
    }
    let o = s.generate("limits-swagger2.yaml", &text);
    assert_too_deep("5,000 chained property $refs in 2.0", &s, &o, "at /definitions/S");
    let cycle = "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          schema: {$ref: '#/definitions/A'}\ndefinitions:\n  A: {$ref: '#/definitions/B'}\n  B: {$ref: '#/definitions/A'}\n";
    let o = s.generate("cycle-swagger2.yaml", cycle);
    o.assert_bounded("a 2.0 alias cycle", SECS, MB);
    assert_eq!(o.code, Some(2), "{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("cycle-swagger2.yaml:1") && o.stderr.contains("/definitions/"), "{}", support::tail(&o.stderr));
    assert!(!s.out().exists());
}

/// A bad schema (a `maxLength` that is text) under 60 levels of `not`, and one under 60 levels
/// of `allOf`, properties and items inline in a response: openapiv3 reads a schema again at
/// every level when it fails to, about 1.8 times the work per level (20 levels took 3.6 s in
/// release before deep schemas were read in pieces; 60 would take centuries). Refused at once,
/// naming the bad member.
#[test]
fn a_bad_schema_deep_inside_schemas_is_refused_without_exponential_work() {
    let bad = "{type: string, maxLength: bad}";
    let mut not_chain = bad.to_string();
    let mut mixed = bad.to_string();
    for i in 0..60 {
        not_chain = format!("{{not: {not_chain}}}");
        mixed = match i % 3 {
            0 => format!("{{allOf: [{mixed}]}}"),
            1 => format!("{{type: object, properties: {{p: {mixed}}}}}"),
            _ => format!("{{type: array, items: {mixed}}}"),
        };
    }
    let cases = [
        ("deep-not.yaml", format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {not_chain}\n"), "at /components/schemas/A/not/not/"),
        (
            "deep-inline.yaml",
            format!("{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {mixed}\n"),
            "at /paths/~1a/get/responses/200/content/application~1json/schema/items/properties/p/allOf/0/",
        ),
    ];
    for (name, text, pointer) in cases {
        let s = Scratch::new();
        let o = s.generate(name, &text);
        o.assert_bounded(name, SECS, MB);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        for needle in [pointer, "/maxLength", "`maxLength` must be a non-negative integer", "invalid OpenAPI 3.0"] {
            assert!(o.stderr.contains(needle), "{name}: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
        }
        assert!(!s.out().exists(), "{name}: an output folder was written");
    }
}

/// A 200 KB key above 3,000 parameters and properties: the generator keeps a pointer per node,
/// so the key cost its length once per node (4 s and 1.3 GB in a release build for a 300 KB
/// document) until documents whose pointers add up to more than 32 times their size were refused.
/// (JSON: YAML allows no implicit key longer than 1,024 characters.)
#[test]
fn a_long_key_above_many_nodes_is_refused_before_it_costs_memory() {
    use serde_json::json;
    let long = "a".repeat(200_000);
    let params: Vec<_> = (0..1_500).map(|i| json!({"name": format!("p{i}"), "in": "query", "schema": {"type": "string"}})).collect();
    let props: serde_json::Map<_, _> = (0..1_500).map(|i| (format!("f{i}"), json!({"type": "string"}))).collect();
    let info = json!({"title": "t", "version": "1"});
    let ok = json!({"200": {"description": "ok"}});
    let path_doc = |key: &str| {
        json!({"openapi": "3.0.3", "info": info, "paths": {(format!("/{key}")): {"get": {"operationId": "op", "parameters": params, "responses": ok}}}}).to_string()
    };
    let schema_doc = json!({
        "openapi": "3.0.3", "info": info, "paths": {},
        "components": {"schemas": {(long.clone()): {"type": "object", "properties": props}}},
    });
    for (name, text, pointer, length) in [
        ("long-path.json", path_doc(&long), "/paths/~1aaaa", "is 200001 bytes long"),
        ("long-schema.json", schema_doc.to_string(), "/components/schemas/aaaa", "is 200000 bytes long"),
    ] {
        let s = Scratch::new();
        let o = s.generate(name, &text);
        o.assert_bounded(name, SECS, 300);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains(&format!("{name}:1:")), "{name}: message names no file and line:\n{}", support::tail(&o.stderr));
        for needle in [pointer, "characters left out", length, "shorten the key"] {
            assert!(o.stderr.contains(needle), "{name}: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
        }
        assert!(o.stderr.len() < 4_000, "{name}: the message prints the whole key ({} bytes)", o.stderr.len());
        assert!(!s.out().exists(), "{name}: an output folder was written");
    }
    // Refused before validation, the 3.1 normalization or the Swagger 2.0 conversion keeps a
    // pointer per node (785 MB, 1.7 GB and 2.4 GB before), and a tree grown from a smaller text
    // (YAML aliases: 1 GB from 503 KB before) is measured against the text.
    let swagger = json!({
        "swagger": "2.0", "info": info,
        "paths": {(format!("/{long}")): {"get": {"parameters": (0..1_000).map(|i| json!({"name": format!("p{i}"), "in": "query", "type": "string"})).collect::<Vec<_>>(), "responses": {"200": {"description": "ok"}}}}},
    });
    let v31 = json!({
        "openapi": "3.1.0", "info": info, "paths": {},
        "components": {"schemas": {(long.clone()): {"type": "object", "properties": (0..1_500).map(|i| (format!("k{i}"), json!({"const": 1}))).collect::<serde_json::Map<_, _>>()}}},
    });
    let head = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
    let aliases = format!("{head}x-a: &a\n  ? {long}\n  : 0\nx-b:\n{}", "  - *a\n".repeat(2_000));
    // Aliases of a thousand empty mappings: no text, 32 bytes or more a node (1.45 GB before).
    let empties = format!("{head}x-a: &a [{}]\nx-c: [{}]\n", vec!["{}"; 1_000].join(","), vec!["*a"; 20_000].join(", "));
    // Text a second YAML parser read differently (a flow sequence broken over lines, `\r`
    // before each alias, U+2028) is measured by the parser that builds the tree.
    let differing = format!("{head}x-f: [\na]\nx-big: &b {}\nx-c: [{}]\nx-p: \u{2028}é\n", "x".repeat(400_000), vec!["\r*b"; 1_500].join(","));
    for (name, text, needle) in [
        ("long-swagger.json", swagger.to_string(), "the key at /paths/~1aaaa"),
        ("long-const.json", v31.to_string(), "the key at /components/schemas/aaaa"),
        ("aliases.yaml", aliases, "YAML aliases expand the document past 64 MiB"),
        ("empties.yaml", empties, "YAML aliases expand the document past 64 MiB"),
        ("differing.yaml", differing, "YAML aliases expand the document past 64 MiB"),
    ] {
        let s = Scratch::new();
        let o = s.generate(name, &text);
        o.assert_bounded(name, SECS, 100);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains(needle), "{name}: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains(&format!("{name}:")), "{name}: message names no file:\n{}", support::tail(&o.stderr));
        assert!(!s.out().exists(), "{name}: an output folder was written");
    }
    // The same document with a short path generates: it is the key's length that is refused.
    let s = Scratch::new();
    let o = s.generate("short-path.json", &path_doc("a"));
    o.assert_bounded("short path", SECS, MB);
    assert_eq!(o.code, Some(0), "short path: stderr:\n{}", support::tail(&o.stderr));
}

/// Overlays that write little text but much to keep: 1,500 items appended under a 500 KB key
/// (a pointer recorded per item: 1.5 GB before) and a 400 KB key written at 1,000 places
/// (1.3 GB before). Both are refused before they write, naming the action.
#[test]
fn overlays_that_write_long_keys_many_times_are_refused_before_writing() {
    use serde_json::json;
    let info = json!({"title": "t", "version": "1"});
    let long = "d".repeat(500_000);
    let places: serde_json::Map<_, _> = (0..1_000).map(|i| (format!("p{i}"), json!({}))).collect();
    let cases = [
        (
            json!({"openapi": "3.0.3", "info": info, "paths": {}, "x-a": {(long.clone()): []}}),
            json!({"overlay": "1.0.0", "info": info, "actions": [{"target": "$['x-a'].*", "update": vec![0; 1_500]}]}),
            "writing 1501 node(s) with 0 bytes of keys and strings at 1 place(s), whose pointers are up to 500005 bytes long",
        ),
        (
            json!({"openapi": "3.0.3", "info": info, "paths": {}, "x-a": places}),
            json!({"overlay": "1.0.0", "info": info, "actions": [{"target": "$['x-a'].*", "update": {("k".repeat(400_000)): 1}}]}),
            "writing 2 node(s) with 400000 bytes of keys and strings at 1000 place(s)",
        ),
    ];
    for (i, (doc, overlay, needle)) in cases.into_iter().enumerate() {
        let s = Scratch::new();
        let overlay_path = s.spec("overlay.json", &overlay.to_string());
        let spec = s.spec("doc.json", &doc.to_string());
        let o = support::generate(&spec, &s.out(), &["--overlay", overlay_path.to_str().expect("a UTF-8 temp path")], LIMIT);
        let what = format!("case {i}");
        o.assert_bounded(&what, SECS, 100);
        assert_eq!(o.code, Some(2), "{what}: exit code; stderr:\n{}", support::tail(&o.stderr));
        for n in ["overlay.json:1: overlay action actions[0]", needle, "exceeds what overlays may write in all (64 MiB"] {
            assert!(o.stderr.contains(n), "{what}: message lacks {n:?}:\n{}", support::tail(&o.stderr));
        }
        assert!(!s.out().exists(), "{what}: an output folder was written");
    }
}

/// Nested types are named after their parents: under a 100 KB schema name, 215 inline enums
/// took 100 KB names each (97 MB of output and 610 MB from a 201 KB document). Derived type
/// names are capped at 1,024 bytes, keeping their start and a hash of the whole.
#[test]
fn types_named_after_a_long_schema_name_stay_short() {
    use serde_json::json;
    let name = "N".repeat(100_000);
    let props: serde_json::Map<_, _> = (0..215).map(|i| (format!("f{i}"), json!({"enum": ["a"]}))).collect();
    let doc = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "op", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}}}}}},
        "components": {"schemas": {(name.clone()): {"type": "object", "properties": props}}},
    });
    let s = Scratch::new();
    let o = s.generate("long-name.json", &doc.to_string());
    o.assert_bounded("long schema name", SECS, 300);
    assert_eq!(o.code, Some(0), "stderr:\n{}", support::tail(&o.stderr));
    let models = std::fs::read_to_string(s.out().join("src/models.rs")).expect("models.rs");
    assert!(models.len() < 3_000_000, "models.rs is {} bytes", models.len());
    let longest = models
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub enum ").or_else(|| l.trim().strip_prefix("pub struct ")))
        .map(|rest| rest.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("").len())
        .max();
    assert_eq!(longest, Some(1024), "the longest type name");
}

/// A request body or parameter shared by `$ref` is copied into the params of every operation
/// that uses it. From 320 KB, one 3,000-property body in 1,000 operations took 77 s and 7.7 GB
/// and wrote 1 GB; a parameter with a 100 KB name and description, 1.7 GB; a 3.2 path-level
/// parameter copied into 500 `additionalOperations`, 226 MB. Each is refused after the
/// operation where what the build made passed its budget; the same sharing at a real size
/// generates.
#[test]
fn shared_bodies_and_parameters_copied_into_every_operation_are_refused_in_bounds() {
    use serde_json::{json, Value};
    let info = json!({"title": "t", "version": "1"});
    let ok = json!({"200": {"description": "ok"}});
    let body_doc = |ops: usize, props: usize| {
        let props: serde_json::Map<_, _> = (0..props).map(|i| (format!("p{i}"), json!({"type": "string", "description": "xxxxxxxxxx"}))).collect();
        let paths: serde_json::Map<_, _> = (0..ops)
            .map(|i| (format!("/x{i}"), json!({"post": {"operationId": format!("op{i}"), "requestBody": {"$ref": "#/components/requestBodies/B"}, "responses": ok}})))
            .collect();
        json!({"openapi": "3.0.3", "info": info, "paths": paths,
            "components": {"requestBodies": {"B": {"content": {"application/json": {"schema": {"type": "object", "properties": props}}}}}}})
    };
    let long = "q".repeat(100_000);
    let param_paths: serde_json::Map<_, _> = (0..1_000)
        .map(|i| (format!("/x{i}"), json!({"get": {"operationId": format!("op{i}"), "parameters": [{"$ref": "#/components/parameters/P"}], "responses": ok}})))
        .collect();
    let param_doc = json!({"openapi": "3.0.3", "info": info, "paths": param_paths,
        "components": {"parameters": {"P": {"name": long, "in": "query", "description": long, "schema": {"type": "string"}}}}});
    let methods: serde_json::Map<_, _> = (0..500).map(|i| (format!("M{i}"), json!({"operationId": format!("m{i}"), "responses": ok}))).collect();
    let path_level = json!({"openapi": "3.2.0", "info": info, "paths": {"/a": {
        "parameters": [{"name": "q", "in": "query", "description": "d".repeat(200_000), "schema": {"type": "string"}}],
        "additionalOperations": methods}}});
    let cases: [(&str, Value, &str); 3] = [
        ("body.json", body_doc(1_000, 3_000), "with 3000 field(s)"),
        ("param.json", param_doc, "with 1 field(s)"),
        ("path-level.json", path_level, "with 1 field(s)"),
    ];
    for (name, doc, fields) in cases {
        let s = Scratch::new();
        let o = s.generate(name, &doc.to_string());
        o.assert_bounded(name, SECS, 300);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        for needle in [&format!("{name}:1: at /paths/"), "pass 64 MiB", fields, "`select:` in the configuration"] {
            assert!(o.stderr.contains(needle), "{name}: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
        }
        assert!(!s.out().exists(), "{name}: an output folder was written");
    }
    // A 30-property body shared by 1,000 operations is what real documents do.
    let s = Scratch::new();
    let o = s.generate("shared.json", &body_doc(1_000, 30).to_string());
    o.assert_bounded("shared body", SECS, MB);
    assert_eq!(o.code, Some(0), "shared body: stderr:\n{}", support::tail(&o.stderr));
}

/// Swagger 2.0 describes each response in every media type of `produces` (and a body in every
/// one of `consumes`), so a long media type is copied, with pointers through it, once per
/// response: 250 media types of 4 KB and 1,000 responses with an empty schema (1 MB) aborted at
/// 3 GB. The conversion counts what it copies in bytes and refuses the document naming the
/// media type where it is written.
#[test]
fn long_swagger_2_media_types_for_many_responses_are_refused_in_bounds() {
    use serde_json::{json, Map};
    let long: Vec<String> = (0..250).map(|i| format!("application/x{i}-{}", "m".repeat(4_000))).collect();
    let doc = |produces: &[String]| {
        let paths: Map<_, _> = (0..1_000)
            .map(|i| (format!("/p{i}"), json!({"get": {"operationId": format!("op{i}"), "responses": {"200": {"description": "ok", "schema": {}}}}})))
            .collect();
        json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "produces": produces, "paths": paths}).to_string()
    };
    let s = Scratch::new();
    let o = s.generate("produces.json", &doc(&long));
    o.assert_bounded("long media types", SECS, 300);
    assert_eq!(o.code, Some(2), "long media types: exit code; stderr:\n{}", support::tail(&o.stderr));
    for needle in ["produces.json:1: invalid Swagger 2.0 at /produces/", "fewer or shorter media types"] {
        assert!(o.stderr.contains(needle), "long media types: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
    }
    assert!(o.stderr.len() < 4_000, "the message prints the whole media type ({} bytes)", o.stderr.len());
    assert!(!s.out().exists(), "long media types: an output folder was written");
    // Two short media types for as many responses generate.
    let s = Scratch::new();
    let o = s.generate("short.json", &doc(&["application/json".into(), "application/xml".into()]));
    o.assert_bounded("short media types", SECS, MB);
    assert_eq!(o.code, Some(0), "short media types: stderr:\n{}", support::tail(&o.stderr));
}

/// Swagger 2.0 parameters were checked for a second one of the same name and place against
/// every one before them, and an operation's against every one of its path item: 160,000
/// query parameters and one repeated (7.6 MB) took 33 s. Both are looked up in a set.
#[test]
fn swagger_2_parameter_lists_are_checked_in_linear_time() {
    use serde_json::json;
    let query = |from: usize, n: usize| (from..from + n).map(|i| json!({"name": format!("q{i}"), "in": "query", "type": "string"})).collect::<Vec<_>>();
    let mut repeated = query(0, 100_000);
    repeated.push(repeated[repeated.len() - 1].clone());
    let ok = json!({"204": {"description": ""}});
    let doc = |item: serde_json::Value| json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": item}}).to_string();
    // 50,000 parameters of the path item and 50,000 others of the operation, each list with a
    // body parameter: refused as two bodies once the lists are merged.
    let mut shared = query(0, 50_000);
    shared.push(json!({"name": "b1", "in": "body", "schema": {}}));
    let mut own = query(50_000, 50_000);
    own.push(json!({"name": "b2", "in": "body", "schema": {}}));
    for (name, text, needle) in [
        ("repeated.json", doc(json!({"get": {"parameters": repeated, "responses": ok}})), "at /paths/~1a/get/parameters/100000: a second parameter named `q99999` in query"),
        ("merged.json", doc(json!({"parameters": shared, "get": {"parameters": own, "responses": ok}})), "at most one `in: body` parameter"),
    ] {
        let s = Scratch::new();
        let o = s.generate(name, &text);
        o.assert_bounded(name, 10.0, MB);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains(needle), "{name}: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
    }
}

/// A 3.1 schema resource's resolved `$id` (up to 2 KB) was copied into every `$ref` kept below
/// it for resolving: 400,000 `$ref: '#a'` under a 2 KB `$id` (5.6 MB) took 1.13 GB, 200,000 of
/// them 568 MB. The base is shared.
#[test]
fn references_below_a_long_id_share_its_base() {
    use serde_json::json;
    let refs: Vec<_> = (0..200_000).map(|_| json!({"$ref": "#a"})).collect();
    let schema = json!({"$id": format!("https://x.example/{}", "a".repeat(2_020)), "$anchor": "a", "type": "object", "properties": {"z": {"type": "string"}}, "allOf": refs});
    let doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"A": schema}}});
    let s = Scratch::new();
    let o = s.generate("ids.json", &doc.to_string());
    o.assert_bounded("refs below a long $id", SECS, 300);
    assert_eq!(o.code, Some(0), "refs below a long $id: stderr:\n{}", support::tail(&o.stderr));
}

/// The configuration is read into its types by serde, which copies an anchored value at each
/// alias without a bound: 1,500 aliases of a 400 KB name aborted on allocation. It is measured
/// by the document's YAML budget first, and deep flow collections are refused before parsing.
#[test]
fn configuration_aliases_and_deep_flow_are_refused_in_bounds() {
    let long = "n".repeat(400_000);
    let aliases = format!("extra_schemas:\n  - &a {long}\n{}", "  - *a\n".repeat(1_500));
    let deep = format!("extra_schemas: {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    for (name, text, needle) in [
        ("aliases.yaml", aliases, "invalid configuration: YAML aliases expand the text past 64 MiB here"),
        ("deep.yaml", deep, "codegen.yaml:1:"),
    ] {
        let s = Scratch::new();
        let spec = s.spec("openapi.yaml", &format!("{HEAD}paths: {{}}\n"));
        let config = s.spec("codegen.yaml", &text);
        let o = support::generate(&spec, &s.out(), &["--config", config.to_str().expect("a UTF-8 temp path")], LIMIT);
        o.assert_bounded(name, SECS, 200);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains(needle), "{name}: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
        assert!(!s.out().exists(), "{name}: an output folder was written");
    }
}

/// The configuration names the document and overlays, and is input too: `overlays:
/// [/dev/zero]` grew the run to 2.1 GB, and a FIFO waited for a writer for ever. Only regular
/// files are read (a link to one is followed), at most 512 MiB of each; anything else is refused
/// at once, naming the file.
#[test]
fn configured_paths_to_devices_fifos_and_folders_are_refused_at_once() {
    let s = Scratch::new();
    s.spec("openapi.yaml", &format!("{HEAD}paths: {{}}\n"));
    let fifo = s.dir.path().join("fifo.yaml");
    let c = std::ffi::CString::new(fifo.to_str().expect("a UTF-8 temp path")).expect("no NUL");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    std::fs::create_dir(s.dir.path().join("folder.yaml")).expect("mkdir");
    for (name, config, needle) in [
        ("device overlay", "spec: openapi.yaml\noverlays: [/dev/zero]\n", "/dev/zero: is a device, not a regular file"),
        ("FIFO overlay", "spec: openapi.yaml\noverlays: [fifo.yaml]\n", "fifo.yaml: is a FIFO, not a regular file"),
        ("FIFO spec", "spec: fifo.yaml\n", "fifo.yaml: is a FIFO, not a regular file"),
        ("folder spec", "spec: folder.yaml\n", "folder.yaml: is a folder, not a regular file"),
    ] {
        let config = s.spec("codegen.yaml", config);
        let out = s.out();
        let args = ["--config".as_ref(), config.as_os_str(), "--out".as_ref(), out.as_os_str()];
        let o = support::run_limited(&args, s.dir.path(), Duration::from_secs(30));
        o.assert_bounded(name, SECS, 100);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains(needle), "{name}: message lacks {needle:?}:\n{}", support::tail(&o.stderr));
        assert!(!out.exists(), "{name}: an output folder was written");
    }
    // A FIFO or device named as the configuration itself.
    let out = s.out();
    for config in [fifo.as_os_str(), "/dev/zero".as_ref()] {
        let spec = s.dir.path().join("openapi.yaml");
        let args = ["--spec".as_ref(), spec.as_os_str(), "--config".as_ref(), config, "--out".as_ref(), out.as_os_str()];
        let o = support::run_limited(&args, s.dir.path(), Duration::from_secs(30));
        o.assert_bounded("configuration", SECS, 100);
        assert_eq!(o.code, Some(2), "{config:?}: exit code; stderr:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains("not a regular file"), "{config:?}:\n{}", support::tail(&o.stderr));
    }
}

/// Small documents whose cost grew with a product, each fixed where it grew (release-build
/// figures before): schemas each holding two required properties of the next, whose default
/// was looked for along every path (26 levels, 4 KB: 79 s) and whose example value spelled
/// every path out (19 levels, 3 KB: 514 MB of output); the document's security alternatives
/// written into every method (2,000 × 2,000: 120 MB); 3,000 stray path parameters of a path
/// item 50 paths share (10.4 s; each compared with the others and warned about with the path);
/// 15,000 template parameters undeclared in a path or a server URL (a warning each, with the
/// path or the URL: 1.7 GB); 10,000 security schemes whose names clash (numbered from 2 each
/// time: 13 s).
#[test]
fn documents_whose_cost_grew_with_a_product_stay_linear() {
    use serde_json::{json, Map, Value};
    let ok = json!({"200": {"description": ""}});
    let doc = |paths: Value, components: Value, extra: Value| {
        let mut d = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, "components": components});
        if let (Some(d), Value::Object(extra)) = (d.as_object_mut(), extra) {
            d.extend(extra);
        }
        d.to_string()
    };
    let chain = |levels: usize, leaf: Value| {
        let mut schemas = Map::new();
        for i in 0..levels {
            let props: Map<_, _> = (0..2).map(|k| (format!("f{k}"), json!({"$ref": format!("#/components/schemas/T{}", i + 1)}))).collect();
            schemas.insert(format!("T{i}"), json!({"type": "object", "required": ["f0", "f1"], "properties": props}));
        }
        schemas.insert(format!("T{levels}"), json!({"type": "object", "required": ["e"], "properties": {"e": leaf}}));
        let body = json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T0"}}}});
        doc(json!({"/a": {"post": {"requestBody": body, "responses": ok}}}), json!({"schemas": schemas}), json!({}))
    };
    let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let mut item: Map<_, _> = methods.iter().map(|m| (m.to_string(), json!({"responses": ok}))).collect();
    item.insert("parameters".into(), (0..3_000).map(|i| json!({"name": format!("q{i}"), "in": "path", "required": true, "schema": {"type": "string"}})).collect());
    let shared: Map<_, _> = (0..50).map(|j| (format!("/p{j}"), json!({"$ref": "#/components/pathItems/x"}))).collect();
    let template: String = (0..15_000).map(|i| format!("{{a{i}}}")).collect();
    let schemes: Map<_, _> = (0..2_000).map(|i| (format!("s{i}"), json!({"type": "oauth2", "flows": {}}))).collect();
    let inheriting: Map<_, _> = (0..2_000).map(|j| (format!("/p{j}"), json!({"get": {"responses": ok}}))).collect();
    let chars: Vec<char> = "!#$%&*+.-~^|@".chars().collect();
    let clashing: Vec<String> = (0..10_000).map(|i| format!("a{}{}{}{}", chars[i % 13], chars[i / 13 % 13], chars[i / 169 % 13], chars[i / 2197 % 13])).collect();
    let cases = [
        ("defaults.json", chain(26, json!({"type": "string"})), 5),
        ("examples.json", chain(19, json!({"type": "string", "enum": ["x"]})), 5),
        ("security.json", doc(json!(inheriting), json!({"securitySchemes": schemes}), json!({"security": (0..2_000).map(|i| json!({(format!("s{i}")): []})).collect::<Vec<_>>()})), 20),
        ("stray.json", doc(json!(shared), json!({"pathItems": {"x": item}}), json!({})), 20),
        ("template.json", doc(json!({(format!("/{template}")): {"get": {"responses": ok}}}), json!({}), json!({})), 20),
        ("server.json", doc(json!({"/a": {"get": {"responses": ok}}}), json!({}), json!({"servers": [{"url": format!("https://h/{template}")}]})), 20),
        ("clash.json", doc(json!({"/a": {"get": {"responses": ok}}}), json!({"securitySchemes": clashing.iter().map(|n| (n.clone(), json!({"type": "oauth2", "flows": {}}))).collect::<Map<_, _>>()}), json!({"security": clashing.iter().map(|n| json!({(n.clone()): []})).collect::<Vec<_>>()})), 40),
    ];
    for (name, text, out_mb) in cases {
        let s = Scratch::new();
        let o = s.generate(name, &text);
        o.assert_bounded(name, SECS, MB);
        assert_eq!(o.code, Some(0), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        let written: u64 = walk_bytes(&s.out());
        assert!(written < out_mb << 20, "{name}: {written} bytes of output from {} of document", text.len());
        assert!(o.stderr.len() < 5 << 20, "{name}: {} bytes of warnings", o.stderr.len());
    }
}

/// Every module's operations reach one type that mentions T others: each of those was gated
/// by a `#[cfg(any(…))]` naming all N modules' features, N × T names (1.1 MB of document
/// aborted on a 729 MB allocation). Past a budget the longest gates are dropped, with a warning.
#[test]
fn feature_gates_of_types_shared_by_many_modules_stay_linear() {
    use serde_json::{json, Map, Value};
    let (modules, types) = (700, 700);
    let root: Map<String, Value> = (0..types).map(|j| (format!("f{j}"), json!({"$ref": format!("#/components/schemas/L{j}")}))).collect();
    let mut schemas: Map<String, Value> = (0..types).map(|j| (format!("L{j}"), json!({"type": "object", "properties": {"a": {"type": "string"}}}))).collect();
    schemas.insert("Root".into(), json!({"type": "object", "properties": root}));
    let returns_root = json!({"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Root"}}}}});
    let mut paths: Map<String, Value> = (0..modules).map(|i| (format!("/r{i}"), json!({"get": {"operationId": format!("g{i}"), "tags": [format!("t{i}")], "responses": returns_root}}))).collect();
    paths.insert("/other".into(), json!({"get": {"operationId": "other", "tags": ["other"], "responses": {"204": {"description": ""}}}}));
    let text = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": schemas}}).to_string();
    let s = Scratch::new();
    let o = s.generate("gates.json", &text);
    o.assert_bounded("gates.json", SECS, MB);
    assert_eq!(o.code, Some(0), "exit code; stderr:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("feature-gates-dropped") && o.stderr.contains("701 types are compiled whatever the cargo features"), "{}", support::tail(&o.stderr));
    let written = walk_bytes(&s.out());
    // With every gate: 23 MB, most of it feature names; 1.6 MB with the budget.
    assert!(written < 8 << 20, "{written} bytes of output from {} of document", text.len());
}

/// One path item declares a 40 KB server and 1,000 paths are `$ref`s to it: every method's
/// docs named the server in full (40 MB; 10,000 paths of a 64 KB one wrote 670 MB).
#[test]
fn a_long_server_url_shared_by_many_operations_is_not_repeated_whole() {
    use serde_json::{json, Map, Value};
    let url = format!("https://{}.example", "h".repeat(40_000));
    let mut paths: Map<String, Value> = (1..1_000).map(|i| (format!("/{i}"), json!({"$ref": "#/paths/~10"}))).collect();
    paths.insert("/0".into(), json!({"servers": [{"url": url}], "get": {"responses": {"204": {"description": ""}}}}));
    let text = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "https://x.example"}], "paths": paths}).to_string();
    let s = Scratch::new();
    let o = s.generate("servers.json", &text);
    o.assert_bounded("servers.json", SECS, MB);
    assert_eq!(o.code, Some(0), "exit code; stderr:\n{}", support::tail(&o.stderr));
    let written = walk_bytes(&s.out());
    assert!(written < 12 << 20, "{written} bytes of output from {} of document", text.len());
}

/// 60 `$ref` aliases with 4 KB names in a row, used by 3,000 properties: the chain was walked
/// again for each property, comparing and looking up its long pointers at every step, and each
/// use converted the 4 KB name's case again (10 KB names and 12,000 properties: 38 s).
#[test]
fn a_chain_of_long_named_aliases_used_by_many_properties_is_walked_once() {
    use serde_json::{json, Map, Value};
    let name = |i: usize| if i == 0 { "C0".to_string() } else { format!("C{}{i:04}", "x".repeat(4_000)) };
    let mut schemas: Map<String, Value> = (0..60).map(|i| (name(i), json!({"$ref": format!("#/components/schemas/{}", name(i + 1))}))).collect();
    schemas.insert(name(60), json!({"type": "string", "description": "the end"}));
    let props: Map<String, Value> = (0..3_000).map(|i| (format!("p{i}"), json!({"$ref": "#/components/schemas/C0"}))).collect();
    schemas.insert("Big".into(), json!({"type": "object", "properties": props}));
    let ok = json!({"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Big"}}}}});
    let text = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": ok}}}, "components": {"schemas": schemas}}).to_string();
    let s = Scratch::new();
    let o = s.generate("aliases.json", &text);
    o.assert_bounded("aliases.json", 10.0, MB);
    assert_eq!(o.code, Some(0), "exit code; stderr:\n{}", support::tail(&o.stderr));
    // The keywords at the chain's end still reach the properties.
    let models = std::fs::read_to_string(s.out().join("src/models.rs")).unwrap();
    assert!(models.matches("/// the end").count() >= 3_000, "the description beside the chain's end");
}

/// Swagger 2.0 operations with `schemes` of their own get servers of their own, each a copy of
/// `host` and `basePath`: 10,000 of them under a 64 KB `host` made 640 MB of URLs (and, before
/// their docs were cut, 670 MB of output). A `host` is a host name; a long `basePath` is
/// charged to the conversion's budget.
#[test]
fn swagger_2_hosts_and_base_paths_copied_into_operations_are_bounded() {
    use serde_json::{json, Map, Value};
    let paths: Map<String, Value> = (0..10_000).map(|i| (format!("/p{i}"), json!({"get": {"schemes": ["http"], "responses": {"204": {"description": ""}}}}))).collect();
    let doc = |host: &str, base: &str| json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "host": host, "basePath": base, "schemes": ["https"], "paths": paths}).to_string();
    let long_host = doc(&"h".repeat(66_000), "/");
    let long_base = doc("h.example", &format!("/{}", "b".repeat(66_000)));
    for (name, text, says) in [("host.json", long_host, "at /host: `host` is 66000 bytes long"), ("base.json", long_base, "/get/schemes: converting this document to OpenAPI 3 would copy more than 64 MiB")] {
        let s = Scratch::new();
        let o = s.generate(name, &text);
        o.assert_bounded(name, 10.0, MB);
        assert_eq!(o.code, Some(2), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
        assert!(o.stderr.contains(says), "{name}: {}", support::tail(&o.stderr));
    }
}

/// The bytes of the files under `dir`.
fn walk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => walk_bytes(&e.path()),
                    _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Schemas each holding two properties of the next reach a change at the end along a number of
/// paths that doubles with each level (21 levels, 3 KB: 7.8 s and 2 GB, each path a finding).
/// The report lists a few and counts the rest.
#[test]
fn spec_diff_counts_the_paths_to_a_change_instead_of_listing_them() {
    if std::env::var_os("HOSTILE_DIFF_CHILD").is_none() {
        diff_in_child("spec_diff_counts_the_paths_to_a_change_instead_of_listing_them");
        return;
    }
    let chain = |leaf: &str| {
        let mut text = format!("{HEAD}paths:\n  /a:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/T0'}}\n      responses:\n        '200': {{description: ok}}\ncomponents:\n  schemas:\n");
        for i in 0..40 {
            let next = format!("{{$ref: '#/components/schemas/T{}'}}", i + 1);
            let _ = writeln!(text, "    T{i}: {{type: object, required: [f0, f1], properties: {{f0: {next}, f1: {next}}}}}");
        }
        let _ = writeln!(text, "    T40: {{type: object, required: [e], properties: {{e: {{type: {leaf}}}}}}}");
        text
    };
    let report = generator::diff::diff_documents(&load("old.yaml", &chain("string")), &load("new.yaml", &chain("integer")));
    let body = report.changes.iter().find(|c| c.operation.as_deref() == Some("POST /a")).unwrap_or_else(|| panic!("{:?}", report.changes));
    // 2^40 paths, four listed.
    assert!(body.message.contains("and 1099511627772 more"), "{}", body.message);
    assert!(body.message.len() < 2_000, "{}", body.message);
}

/// The second review's shapes (release-build figures before): unions of unions whose leaves
/// cannot be built, tried along every path for a doc example (30 levels, 6.5 KB: past 120 s);
/// the same checked against an `example` in contract tests (36 KB: 25 s); 4,000 unions of one
/// three-wide union tree, each variant's sample checked on its own budget (752 KB: 83.5 s);
/// an overlay target of six `..` (389 bytes: aborted on a 3.9 GB allocation); an overlay
/// removing 100,000 items of one array one at a time (900 KB: 64 s).
#[test]
fn unions_of_unions_and_overlays_over_many_nodes_stay_bounded() {
    use serde_json::{json, Map, Value};
    let doc = |paths: Value, schemas: Map<String, Value>| json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": schemas}}).to_string();
    let r = |name: String| json!({"$ref": format!("#/components/schemas/{name}")});
    let post = |schema: Value| json!({"/a": {"post": {"operationId": "op", "requestBody": {"required": true, "content": {"application/json": {"schema": schema}}}, "responses": {"200": {"description": "ok"}}}}});
    // Two-wide unions, 30 levels, over objects that need themselves.
    let mut unbuildable = Map::new();
    for i in 0..30 {
        for j in 0..if i > 0 { 2 } else { 1 } {
            unbuildable.insert(format!("U{i}_{j}"), json!({"anyOf": (0..2).map(|m| r(format!("U{}_{m}", i + 1))).collect::<Vec<_>>()}));
        }
    }
    for j in 0..2 {
        unbuildable.insert(format!("U30_{j}"), json!({"type": "object", "required": ["s"], "properties": {"s": r(format!("U30_{j}"))}}));
    }
    // An example that fits nothing, checked against unions two wide for 8 levels, then 10.
    let widths = [2, 2, 2, 2, 2, 2, 2, 2, 10, 10, 10, 10];
    let mut misfit = Map::new();
    for (i, _) in widths.iter().enumerate() {
        for j in 0..if i > 0 { widths[i - 1] } else { 1 } {
            let schema = if i == widths.len() - 1 { json!({"anyOf": [{"type": "string"}, {"type": "boolean"}]}) } else { json!({"anyOf": (0..widths[i]).map(|m| r(format!("U{}_{m}", i + 1))).collect::<Vec<_>>()}) };
            misfit.insert(format!("U{i}_{j}"), schema);
        }
    }
    misfit.insert("P".into(), json!({"type": "object", "properties": {"u": {"$ref": "#/components/schemas/U0_0", "example": 5}, "n": {"type": "string"}}, "example": {"u": 5}}));
    // 2,000 unions of one three-wide tree 8 deep.
    let mut shared = Map::new();
    for i in 0..8 {
        for j in 0..3 {
            shared.insert(format!("D{i}_{j}"), json!({"anyOf": (0..3).map(|m| r(format!("D{}_{m}", i + 1))).collect::<Vec<_>>()}));
        }
    }
    for j in 0..3 {
        shared.insert(format!("D8_{j}"), json!({"type": "string"}));
    }
    for w in 0..2_000 {
        shared.insert(format!("W{w}"), json!({"anyOf": (0..3).map(|m| r(format!("D0_{m}"))).collect::<Vec<_>>()}));
    }
    shared.insert("P".into(), json!({"type": "object", "properties": (0..2_000).map(|w| (format!("w{w}"), r(format!("W{w}")))).collect::<Map<_, _>>()}));
    let cases: [(&str, String, &[&str]); 3] = [
        ("unbuildable.json", doc(post(r("U0_0".into())), unbuildable), &[]),
        ("misfit.json", doc(post(r("P".into())), misfit), &["--contract-tests"]),
        ("shared.json", doc(post(r("P".into())), shared), &["--contract-tests"]),
    ];
    for (name, text, args) in cases {
        let s = Scratch::new();
        let spec = s.spec(name, &text);
        let o = support::generate(&spec, &s.out(), args, LIMIT);
        o.assert_bounded(name, SECS, MB);
        assert_eq!(o.code, Some(0), "{name}: exit code; stderr:\n{}", support::tail(&o.stderr));
    }
    // Overlays: six descendant segments are refused; 100,000 removals of one array are one pass.
    let s = Scratch::new();
    let nested = format!("{}{}", "[".repeat(120), "]".repeat(120));
    let deep = s.spec("deep.json", &format!(r#"{{"openapi":"3.0.3","info":{{"title":"t","version":"1"}},"x-deep":{nested},"paths":{{}}}}"#));
    let overlay = s.spec("descend.yaml", &format!("overlay: 1.0.0\ninfo: {{title: o, version: '1'}}\nactions:\n  - target: \"${}\"\n    remove: true\n", "..*".repeat(6)));
    let o = support::generate(&deep, &s.out(), &["--overlay", overlay.to_str().expect("a UTF-8 temp path")], LIMIT);
    o.assert_bounded("descendants", SECS, 100);
    assert_eq!(o.code, Some(2), "descendants: stderr:\n{}", support::tail(&o.stderr));
    assert!(o.stderr.contains("has 6 descendant segments"), "{}", support::tail(&o.stderr));
    let s = Scratch::new();
    let big = s.spec("big.json", &json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-big": vec![0; 450_000]}).to_string());
    let overlay = s.spec("remove.yaml", "overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions:\n  - target: \"$['x-big'][0:100000]\"\n    remove: true\n");
    let o = support::generate(&big, &s.out(), &["--overlay", overlay.to_str().expect("a UTF-8 temp path")], LIMIT);
    o.assert_bounded("removals", SECS, MB);
    assert_eq!(o.code, Some(0), "removals: stderr:\n{}", support::tail(&o.stderr));
}

/// spec-diff of a 50,000-value enum (values compared pairwise: 12 s), and of a 1,000-value enum
/// whose every value changed, used by 1,000 operations (each operation reported each change:
/// 327 MB of report). Values are looked up in a set; a change of a shared schema is reported
/// for eight operations and counted for the rest.
#[test]
fn spec_diff_of_large_enums_shared_by_many_operations_stays_bounded() {
    if std::env::var_os("HOSTILE_DIFF_CHILD").is_none() {
        diff_in_child("spec_diff_of_large_enums_shared_by_many_operations_stays_bounded");
        return;
    }
    use serde_json::json;
    let doc = |prefix: &str, values: usize, ops: usize| {
        let paths: serde_json::Map<_, _> = (0..ops)
            .map(|j| (format!("/a{j}"), json!({"get": {"operationId": format!("op{j}"), "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}}}})))
            .collect();
        let text = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": {"E": {"type": "string", "enum": (0..values).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>()}}}})
        .to_string();
        load("doc.json", &text)
    };
    let report = generator::diff::diff_documents(&doc("a", 50_000, 1), &doc("a", 50_001, 1));
    assert_eq!(report.changes.iter().filter(|c| c.operation.is_some()).count(), 1, "{:?}", report.changes.len());
    let report = generator::diff::diff_documents(&doc("a", 1_000, 1_000), &doc("b", 1_000, 1_000));
    let shown = generator::diff::render_text(&report);
    assert!(shown.len() < 20_000_000, "{} bytes of report", shown.len());
    assert!(report.changes.iter().any(|c| c.message.contains("(and in 992 more operations, not listed)")), "{:?}", report.changes.first());
}

/// A split workspace of 2,000 member crates (`split_group_types: 1`, one tag and one type of its
/// own per operation, 470 KB): each member's file copied the whole plan and filtered every type
/// of the API, and each shared type's features were matched by scanning the groups (release
/// build before: 7.3 s, 13 s of CPU; 26 s at 4,000).
#[test]
fn many_workspace_members_generate_in_linear_time() {
    use serde_json::{json, Map, Value};
    let n = 2_000;
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for i in 0..n {
        schemas.insert(format!("M{i}"), json!({"type": "object", "properties": {"a": {"type": "string"}}}));
        let ok = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/M{i}")}}}}});
        paths.insert(format!("/r{i}"), json!({"get": {"operationId": format!("g{i}"), "tags": [format!("t{i}")], "responses": ok}}));
    }
    let doc: Value = json!({"openapi": "3.0.3", "info": {"title": "q", "version": "1"}, "paths": paths, "components": {"schemas": schemas}});
    let s = Scratch::new();
    let spec = s.spec("openapi.json", &doc.to_string());
    let config = s.spec("codegen.yaml", "crate:\n  split_crates: true\n  split_group_types: 1\n");
    let o = support::generate(&spec, &s.out(), &["--config", config.to_str().expect("a UTF-8 temp path")], LIMIT);
    o.assert_bounded("members", SECS, MB);
    assert_eq!(o.code, Some(0), "members: exit code; stderr:\n{}", support::tail(&o.stderr));
    assert!(s.out().join(format!("crates/q-client-t{}", n - 1)).exists(), "members: no crate for the last tag");
}

/// Paging detection read a response body's properties again for each of the ~25 paths it
/// tries, and resolved every property to find the list, once per operation: 2,000 list
/// operations sharing one body of 2,000 properties (510 KB) took 17.7 s (release build). A
/// configured `items` path of 40,000 steps through a body of 4,000 properties read them at
/// each step (260 KB: 39 s). The properties are now made once per body.
#[test]
fn paging_detection_over_a_shared_body_stays_linear() {
    use serde_json::{json, Map};
    let props = |p: usize| {
        let mut props: Map<_, _> = (0..p).map(|j| (format!("p{j}"), json!({"type": "string"}))).collect();
        props.insert("data".into(), json!({"type": "array", "items": {"type": "string"}}));
        props
    };
    let query = |n: &str| json!({"name": n, "in": "query", "schema": {"type": "string"}});
    let ok = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}});
    let paths: Map<_, _> = (0..2_000)
        .map(|i| (format!("/x{i}"), json!({"get": {"operationId": format!("l{i}"), "parameters": [query("cursor"), query("page"), query("starting_after")], "responses": ok}})))
        .collect();
    let shared = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": {"A": {"type": "object", "properties": props(2_000)}}}});
    let s = Scratch::new();
    let o = s.generate("shared.json", &shared.to_string());
    o.assert_bounded("shared body", SECS, MB);
    assert_eq!(o.code, Some(0), "shared body: exit code; stderr:\n{}", support::tail(&o.stderr));

    let mut own = props(4_000);
    own.insert("a".into(), json!({"$ref": "#/components/schemas/A"}));
    let one = json!({"/x": {"get": {"operationId": "listX", "parameters": [query("cursor")], "responses": ok}}});
    let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": one, "components": {"schemas": {"A": {"type": "object", "properties": own}}}});
    let path = vec!["a"; 40_000].join(".");
    let config = format!("operations:\n  listX:\n    paginate:\n      style: cursor\n      param: cursor\n      next: {path}.p0\n      items: {path}.data\n");
    let s = Scratch::new();
    let spec = s.spec("openapi.json", &doc.to_string());
    let config = s.spec("codegen.yaml", &config);
    let o = support::generate(&spec, &s.out(), &["--config", config.to_str().expect("a UTF-8 temp path")], LIMIT);
    o.assert_bounded("items path", SECS, MB);
    assert_eq!(o.code, Some(0), "items path: exit code; stderr:\n{}", support::tail(&o.stderr));
}

/// Field names that all snake_case to `a` (`a` and one CJK letter each): each was numbered by
/// trying `a_2`, `a_3`, … from the start, so 20,000 properties (500 KB) took 30 s (release
/// build). Query parameters are named the same way.
#[test]
fn colliding_field_names_are_numbered_in_linear_time() {
    use serde_json::{json, Map};
    let names = |k: u32| (0..k).map(|i| format!("a{}", char::from_u32(0x4e00 + i).expect("a CJK letter")));
    let props: Map<_, _> = names(20_000).map(|n| (n, json!({"type": "string"}))).collect();
    let params: Vec<_> = names(5_000).map(|n| json!({"name": n, "in": "query", "schema": {"type": "string"}})).collect();
    let ok = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}});
    let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"operationId": "getX", "parameters": params, "responses": ok}}},
        "components": {"schemas": {"A": {"type": "object", "properties": props}}}});
    let s = Scratch::new();
    let o = s.generate("collide.json", &doc.to_string());
    o.assert_bounded("colliding names", SECS, MB);
    assert_eq!(o.code, Some(0), "colliding names: exit code; stderr:\n{}", support::tail(&o.stderr));
    let models = std::fs::read_to_string(s.out().join("src/models.rs")).expect("models.rs");
    assert!(models.contains("pub a_20000:"), "colliding names: no field `a_20000`");
}
