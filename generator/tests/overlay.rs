//! Overlays end to end, on the real `openapi-rustgen` binary: the README's worked overlay on the
//! project's document changes exactly what it says, malformed overlays exit 2 naming the file,
//! the action and its line with the output folder untouched, an action that selects nothing is
//! a warning (an error under `--deny-warnings`), overlays apply in order (the configuration's
//! first), `--effective-spec` writes the document after them, and hostile overlays stay bounded.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{snapshot, BIN, PETS};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}


const HEAD: &str = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\n";

/// Runs the binary in `cwd`; exit code, stdout, stderr.
fn run(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(BIN).current_dir(cwd).args(args).output().expect("run openapi-rustgen");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().expect("exit code"), String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
}

/// A scratch folder holding the pets document and the named files.
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pets.yaml"), PETS).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Every generated file without its header (which names the inputs and their hash).
fn bodies(dir: &Path) -> BTreeMap<String, String> {
    support::read_tree(dir)
        .into_iter()
        .map(|(k, v)| {
            let body: Vec<&str> = v.lines().filter(|l| !l.contains("@generated") && !l.contains("openapi-rustgen") && !l.contains("inputs")).collect();
            (k, body.join("\n"))
        })
        .collect()
}

#[test]
fn the_readme_overlay_changes_exactly_what_it_says() {
    let root = root();
    let dir = tempfile::tempdir().unwrap();
    let (plain, with) = (dir.path().join("plain"), dir.path().join("with"));
    let config = root.join("spec/codegen.yaml");
    let overlay = root.join("spec/overlays/example.yaml");
    let effective = dir.path().join("effective.json");
    let (code, _, err) = run(&root, &["--config", config.to_str().unwrap(), "--out", plain.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let args = ["--config", config.to_str().unwrap(), "--out", with.to_str().unwrap(), "--overlay", overlay.to_str().unwrap(), "--effective-spec", effective.to_str().unwrap()];
    let (code, _, err) = run(&root, &args);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");

    let (a, b) = (bodies(&plain), bodies(&with));
    let changed: Vec<&String> = a.keys().filter(|k| a.get(*k) != b.get(*k)).collect();
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    // The summary is the method's doc; the removed DELETE is its `delete` method and its
    // params struct, and the README's list of methods.
    let users = "src/resources/zero_trust/access/users.rs";
    assert!(b[users].contains("/// List the Access users of an account"), "{}", b[users]);
    assert!(!a[users].contains("List the Access users of an account"));
    assert!(a[users].contains("pub fn delete("));
    assert!(!b[users].contains("pub fn delete("));
    // The reference page loses the method too.
    assert!(a["api.md"].contains("- `fn delete(&self, account_id: &str, user_id: &str)"));
    assert!(!b["api.md"].contains("- `fn delete(&self, account_id: &str, user_id: &str)"));
    // And the contract tests stop calling it.
    assert!(a["tests/contract.rs"].contains("call_zero_trust_access_users_delete_required"));
    assert!(!b["tests/contract.rs"].contains("call_zero_trust_access_users_delete_required"));
    for file in &changed {
        assert!(
            [users, "src/models.rs", "README.md", "api.md", "tests/contract.rs"].contains(&file.as_str()),
            "{file} changed, though the overlay does not touch it"
        );
    }
    // Every header names the overlay.
    let header = std::fs::read_to_string(with.join("src/lib.rs")).unwrap();
    assert!(header.lines().take(5).any(|l| l.contains("example.yaml")), "{header}");

    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&effective).unwrap()).unwrap();
    let user = &doc["paths"]["/accounts/{account_id}/access/users/{user_id}"];
    assert!(user.get("delete").is_none());
    assert_eq!(user["get"]["x-internal-owner"], "identity-team");
}

#[test]
fn malformed_overlays_exit_2_naming_file_action_and_line_and_write_nothing() {
    // A malformed action after `good` well-formed ones (two lines each, from line 4): the error
    // names the file, `actions[good]` and the line the bad action starts on.
    let good = "  - target: $.info\n    update: {title: x}\n";
    let action_cases: [(&str, usize, &str, &str); 9] = [
        ("no-effect.yaml", 1, "  - target: $.info\n    description: nothing to do\n", "has no `update`, no `copy` and no `remove: true`"),
        ("bad-path.yaml", 2, "  - target: $.paths[?@.x ==]\n    remove: true\n", "`target` \"$.paths[?@.x ==]\" is not an RFC 9535 JSONPath"),
        ("no-target.yaml", 1, "  - update: {title: y}\n", "no `target`"),
        ("copy-in-1.0.yaml", 2, "  - target: $.info\n    copy: $.info\n", "`copy` is an Overlay 1.1 member"),
        ("remove-not-bool.yaml", 1, "  - target: $.info\n    remove: 'yes'\n", "`remove` is a string; expected true or false"),
        ("unknown-member.yaml", 1, "  - target: $.info\n    updates: {title: y}\n", "unknown member \"updates\""),
        ("regex.yaml", 1, "  - target: $.paths[?match(@.x, 'a.*')]\n    remove: true\n", "`target` \"$.paths[?match(@.x, 'a.*')]\" is not an RFC 9535 JSONPath"),
        ("not-an-object.yaml", 2, "  - just a string\n", "is a string; expected an object"),
        // Well-formed, but it cannot apply to this document: refused before anything is written.
        ("update-of-object.yaml", 1, "  - target: $.info\n    update: 3\n", "the target is an object and the update is a number"),
    ];
    let document_cases = [
        ("version.yaml", "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n", "version.yaml:1: invalid overlay: Overlay version \"2.0.0\" is not supported"),
        ("empty-actions.yaml", &format!("{HEAD}actions: []\n"), "empty-actions.yaml:3: invalid overlay: `actions` is empty"),
        ("no-actions.yaml", HEAD, "no-actions.yaml:1: invalid overlay: no `actions` list"),
        ("no-info.yaml", "overlay: 1.0.0\nactions: [{target: $, update: {}}]\n", "no-info.yaml:1: invalid overlay: no `info` object"),
        ("syntax.yaml", "overlay: 1.0.0\ninfo: {title: t\n", "syntax.yaml:3:1: YAML syntax error"),
    ];
    let mut files: Vec<(String, String, String)> = action_cases
        .iter()
        .map(|(name, before, bad, what)| {
            let text = format!("{HEAD}actions:\n{}{bad}", good.repeat(*before));
            let line = 4 + 2 * before;
            (name.to_string(), text, format!("{name}:{line}: overlay action actions[{before}]: {what}"))
        })
        .collect();
    files.extend(document_cases.iter().map(|(n, t, w)| (n.to_string(), t.to_string(), w.to_string())));
    let names: Vec<(&str, &str)> = files.iter().map(|(n, t, _)| (n.as_str(), t.as_str())).collect();
    let dir = scratch(&names);
    // The output folder holds a crate generated before and a file of the user's: a refused run
    // leaves both byte for byte.
    let out = dir.path().join("out");
    let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let before = snapshot(&out);
    assert!(before.len() > 10, "{before:?}");
    for (name, _, want) in &files {
        let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out", "--overlay", name]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(want.as_str()), "{name}: expected {want:?} in:\n{err}");
        support::assert_same(name, &before, &snapshot(&out));
    }
}

#[test]
fn an_action_that_selects_nothing_warns_and_deny_warnings_refuses() {
    let overlay = format!("{HEAD}actions:\n  - target: $.info\n    update: {{title: x}}\n  - target: $.paths['/gone']\n    remove: true\n");
    let dir = scratch(&[("o.yaml", &overlay)]);
    let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out", "--overlay", "o.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning[overlay-no-match]: overlay o.yaml actions[1]: target \"$.paths['/gone']\" selects nothing"), "{err}");
    assert!(err.contains("line 6"), "{err}");
    let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out2", "--overlay", "o.yaml", "--deny-warnings"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--deny-warnings is set"), "{err}");
    assert!(!dir.path().join("out2").exists());
}

#[test]
fn overlays_apply_in_order_the_configurations_first() {
    let set = |s: &str| format!("{HEAD}actions:\n  - target: $.paths.*.get\n    update: {{summary: {s}}}\n");
    let (a, b, c) = (set("From config"), set("From first flag"), set("From second flag"));
    let dir = scratch(&[("a.yaml", &a), ("b.yaml", &b), ("c.yaml", &c)]);
    std::fs::create_dir_all(dir.path().join("cfg/overlays")).unwrap();
    std::fs::rename(dir.path().join("a.yaml"), dir.path().join("cfg/overlays/a.yaml")).unwrap();
    std::fs::write(dir.path().join("cfg/codegen.yaml"), "spec: ../pets.yaml\noverlays: [overlays/a.yaml]\n").unwrap();
    // The operation's summary is its method's doc, wherever the method goes.
    let doc = |out: &str| support::read_tree(&dir.path().join(out)).into_values().collect::<Vec<_>>().join("\n");
    let (code, _, err) = run(dir.path(), &["--config", "cfg/codegen.yaml", "--out", "o1", "--name", "pets"]);
    assert_eq!(code, 0, "{err}");
    assert!(doc("o1").contains("/// From config"));
    let (code, _, err) = run(dir.path(), &["--config", "cfg/codegen.yaml", "--out", "o2", "--name", "pets", "--overlay", "b.yaml", "--overlay", "c.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(doc("o2").contains("/// From second flag"), "{}", doc("o2"));
    let (code, _, err) = run(dir.path(), &["--config", "cfg/codegen.yaml", "--out", "o3", "--name", "pets", "--overlay", "c.yaml", "--overlay", "b.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(doc("o3").contains("/// From first flag"));
}

#[test]
fn effective_spec_is_json_or_yaml_and_written_even_when_the_result_is_refused() {
    let overlay = format!("{HEAD}actions:\n  - target: $.paths.*.get\n    update: {{x-note: added}}\n");
    let dir = scratch(&[("o.yaml", &overlay)]);
    for name in ["e.json", "e.yaml"] {
        let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out", "--overlay", "o.yaml", "--effective-spec", name]);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let doc = generator::load_bytes(name, text.as_bytes()).unwrap();
        assert_eq!(doc.raw["paths"]["/pets/{pet_id}"]["get"]["x-note"], "added");
    }
    let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out", "--effective-spec", "e.txt"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("neither .json, .yaml nor .yml"), "{err}");
    // An overlay that breaks the document: the error names the action, the file is there to read.
    let breaking = format!("{HEAD}actions:\n  - target: $.paths.*.get\n    update: {{responses: 7}}\n");
    std::fs::write(dir.path().join("b.yaml"), breaking).unwrap();
    let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out", "--overlay", "b.yaml", "--effective-spec", "broken.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("after overlays") && err.contains("overlay b.yaml actions[0]"), "{err}");
    assert!(std::fs::read_to_string(dir.path().join("broken.yaml")).unwrap().contains("responses: 7"));
}

#[test]
fn a_diagnostic_on_a_node_an_overlay_wrote_names_the_action_not_a_line() {
    let overlay = format!(
        "{HEAD}actions:\n  - target: $.paths.*.get.responses['200'].content['application/json'].schema.properties\n    update: {{age: {{type: wat}}}}\n"
    );
    let dir = scratch(&[("o.yaml", &overlay)]);
    let (code, _, err) = run(dir.path(), &["--spec", "pets.yaml", "--out", "out", "--overlay", "o.yaml"]);
    assert_eq!(code, 0, "{err}");
    let line = err.lines().find(|l| l.contains("unknown-type")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("written by overlay o.yaml actions[0]"), "{line}");
    assert!(!line.contains(", line "), "{line}");
}

#[test]
fn hostile_overlays_stay_bounded() {
    // Every node selected, a large update for each: refused by the write budget.
    let big: Vec<String> = (0..50_000).map(|i| format!("k{i}: {i}")).collect();
    let everything = format!("{HEAD}actions:\n  - target: $..*\n    update: {{{}}}\n", big.join(", "));
    // A YAML alias bomb: the reading path refuses it as it does in a document.
    let mut bomb = String::from("overlay: 1.0.0\ninfo: {title: t, version: '1'}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
    }
    bomb.push_str("actions: [{target: $, update: {x: *a9}}]\n");
    // Deep nesting in the update.
    let deep = format!("{HEAD}actions:\n  - target: $.info\n    update: {}1{}\n", "{a: ".repeat(200), "}".repeat(200));
    // A JSONPath that would make the parser recurse.
    let parens = format!("{HEAD}actions:\n  - target: \"$[?{}@{}]\"\n    remove: true\n", "(".repeat(5000), ")".repeat(5000));
    let dir = scratch(&[("everything.yaml", &everything), ("bomb.yaml", &bomb), ("deep.yaml", &deep), ("parens.yaml", &parens)]);
    for name in ["everything.yaml", "bomb.yaml", "deep.yaml", "parens.yaml"] {
        let out = dir.path().join(format!("out-{name}"));
        let o = support::generate(&dir.path().join("pets.yaml"), &out, &["--overlay", name], Duration::from_secs(60));
        o.assert_bounded(name, 10.0, 512);
        assert_eq!(o.code, Some(2), "{name}: {}", o.stderr);
        assert!(o.stderr.contains(name), "{name}: {}", support::tail(&o.stderr));
        assert!(!out.exists(), "{name}: wrote output");
    }
}
