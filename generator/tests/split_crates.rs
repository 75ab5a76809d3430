//! `crate.split_crates`: the crate written as a cargo workspace (a facade and member crates
//! holding the models) keeps the whole crate's public paths. Both forms of `tests/split/` are
//! generated, the same hand-written test (`tests/split/uses.rs`) is compiled against each, and
//! the workspace passes `cargo clippy -D warnings`, `cargo doc` and a one-feature build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/split")
}

fn settings(split: bool) -> generator::Settings {
    generator::Settings::new(inputs().join("openapi.yaml"))
        .config(inputs().join("codegen.yaml"))
        .command("cargo test -p openapi-rustgen --test split_crates")
        .inputs_relative_to(inputs())
        .split_crates(split)
}

fn cargo(dir: &Path, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", support::shared_target())
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo {args:?} in {} failed:\n{stderr}", dir.display());
    assert!(!stderr.contains("warning:"), "cargo {args:?} in {}: warnings:\n{stderr}", dir.display());
}

/// The member crate folder a type is defined in (`""` for the facade).
fn defined_in<'a>(files: &'a BTreeMap<String, String>, item: &str) -> Vec<&'a str> {
    files
        .iter()
        .filter(|(_, text)| text.lines().any(|l| l.trim_start().starts_with(item)))
        .map(|(path, _)| path.as_str())
        .collect()
}

#[test]
fn split_workspace_places_models_by_group() {
    let whole = settings(false).generate().unwrap().files;
    let split = settings(true).generate().unwrap().files;
    assert!(!whole.keys().any(|k| k.starts_with("crates/")));
    let members: Vec<&str> = split.keys().filter(|k| k.ends_with("/Cargo.toml") && k.starts_with("crates/")).map(String::as_str).collect();
    assert_eq!(
        members,
        [
            "crates/split-demo-alpha/Cargo.toml",
            "crates/split-demo-beta/Cargo.toml",
            "crates/split-demo-gamma/Cargo.toml",
            "crates/split-demo-shared/Cargo.toml"
        ]
    );
    // Used by both groups (and reached from a beta type through an alpha one): shared.
    assert_eq!(defined_in(&split, "pub struct Shared "), ["crates/split-demo-shared/src/lib.rs"]);
    assert_eq!(defined_in(&split, "pub struct AlphaItem "), ["crates/split-demo-shared/src/lib.rs"]);
    // Used by two groups of three: shared, compiled under those two groups' features.
    assert_eq!(defined_in(&split, "pub struct Pair "), ["crates/split-demo-shared/src/lib.rs"]);
    let shared = &split["crates/split-demo-shared/src/lib.rs"];
    let pair = &shared[..shared.find("pub struct Pair ").unwrap()];
    assert!(pair.ends_with("#[cfg(any(feature = \"split_demo_alpha\", feature = \"split_demo_gamma\"))]\n#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]\n"), "{}", &pair[pair.len().saturating_sub(300)..]);
    // One group's own.
    assert_eq!(defined_in(&split, "pub struct AlphaItemCreateParams "), ["crates/split-demo-alpha/src/lib.rs"]);
    assert_eq!(defined_in(&split, "pub struct BetaThing "), ["crates/split-demo-beta/src/lib.rs"]);
    // The same inline enum in two groups: defined once in the shared crate under both
    // groups' features, each group's name an alias in its own crate.
    assert_eq!(defined_in(&split, "pub enum AlphaItemCreateParamsMood:"), ["crates/split-demo-shared/src/lib.rs"]);
    let mood = &shared[..shared.find("pub enum AlphaItemCreateParamsMood:").unwrap()];
    assert!(mood.contains("#[cfg(any(feature = \"split_demo_alpha\", feature = \"split_demo_gamma\"))]\ncrate::string_enum! {"), "{}", &mood[mood.len().saturating_sub(400)..]);
    assert_eq!(defined_in(&split, "pub type GammaPairListParamsMood = AlphaItemCreateParamsMood;"), ["crates/split-demo-gamma/src/lib.rs"]);
    // An error-body enum implements the runtime's `ErrorBody`: the facade's.
    assert_eq!(defined_in(&split, "pub enum BetaThingRetrieveError "), ["src/models.rs"]);
    // Everything but the manifest and the models is the whole crate's, byte for byte.
    for (path, text) in &whole {
        if path != "Cargo.toml" && path != "src/models.rs" {
            assert_eq!(split.get(path), Some(text), "{path} differs between the whole and the split crate");
        }
    }
    let manifest = &split["Cargo.toml"];
    assert!(manifest.contains("alpha = [\"dep:split-demo-alpha\"]"), "{manifest}");
    // The group crate turns on its own part of the shared crate (so it also builds alone).
    let member = &split["crates/split-demo-alpha/Cargo.toml"];
    assert!(
        member.contains("\"split-demo-shared\" = { path = \"../split-demo-shared\", features = [\"split_demo_alpha\"] }"),
        "{member}"
    );
    assert!(manifest.contains("\"split-demo-beta\" = { path = \"crates/split-demo-beta\", optional = true }"), "{manifest}");
}

#[test]
fn hostile_resource_names_make_valid_member_crates() {
    let dir = root().join("target/split-check/hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("openapi.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: Hostile, version: '1'}\npaths:\n  \"/..%2F..%2Fetc/x\":\n    get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}}}\n  \"/\\\"q\\\"=1\\n[dependencies]/y\":\n    get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {b: {type: string}}}}}}}}\n  \"/Ünï côdé/z\":\n    get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {c: {type: string}}}}}}}}\n",
    )
    .unwrap();
    let config = dir.join("codegen.yaml");
    std::fs::write(&config, "crate: {name: hostile, split_group_types: 1}\n").unwrap();
    let files = generator::Settings::new(&spec).config(&config).split_crates(true).generate().unwrap().files;
    let manifests: Vec<&String> = files.keys().filter(|k| k.starts_with("crates/") && k.ends_with("/Cargo.toml")).collect();
    assert_eq!(manifests.len(), 4, "{manifests:?}");
    for path in files.keys() {
        assert!(Path::new(path).components().all(|c| matches!(c, std::path::Component::Normal(_))), "{path}");
    }
    for m in manifests {
        let package = m.strip_prefix("crates/").unwrap().strip_suffix("/Cargo.toml").unwrap();
        assert!(package.starts_with("hostile-"), "{package}");
        assert!(package.len() <= 64 && package.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{package}");
        let parsed: toml::Value = toml::from_str(&files[m.as_str()]).unwrap_or_else(|e| panic!("{m}: {e}"));
        assert_eq!(parsed["package"]["name"].as_str(), Some(package));
    }
    let facade: toml::Value = toml::from_str(&files["Cargo.toml"]).unwrap();
    assert_eq!(facade["dependencies"].as_table().unwrap().keys().filter(|k| k.starts_with("hostile-")).count(), 4);
}

/// A member is named after the crate and its resource, so crate `futures` with a tag `core`
/// made a member `futures-core`, which the facade also names as the registry crate: the same
/// key twice in its `Cargo.toml`.
#[test]
fn member_crates_are_not_named_like_a_dependency() {
    let dir = root().join("target/split-check/dependency-names");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("openapi.yaml");
    let op = |tag: &str| format!("    get: {{tags: [{tag}], responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{a: {{type: string}}}}}}}}}}}}}}}}\n");
    std::fs::write(&spec, format!("openapi: 3.0.3\ninfo: {{title: q, version: '1'}}\npaths:\n  /a:\n{}  /b:\n{}", op("core"), op("util"))).unwrap();
    let config = dir.join("codegen.yaml");
    std::fs::write(&config, "crate: {name: futures, split_group_types: 1}\n").unwrap();
    let files = generator::Settings::new(&spec).config(&config).split_crates(true).generate().unwrap().files;
    let facade: toml::Value = toml::from_str(&files["Cargo.toml"]).unwrap_or_else(|e| panic!("Cargo.toml: {e}"));
    let deps = facade["dependencies"].as_table().unwrap();
    assert_eq!(deps["futures-core"].as_str(), Some("0.3"), "{deps:?}");
    for member in ["futures-core-2", "futures-util-2"] {
        assert!(deps[member].get("path").is_some(), "{member}: {deps:?}");
        assert!(files.contains_key(&format!("crates/{member}/Cargo.toml")), "{member}");
    }
}

#[test]
fn both_forms_compile_against_the_same_test() {
    for (form, split) in [("whole", false), ("split", true)] {
        let out = root().join("target/split-check").join(form);
        let report = settings(split).write_to(&out).unwrap_or_else(|e| panic!("{form}: {e}"));
        assert!(report.generated.files.contains_key("src/models.rs"));
        support::pin_lock(&out);
        std::fs::create_dir_all(out.join("tests")).unwrap();
        std::fs::copy(inputs().join("uses.rs"), out.join("tests/uses.rs")).unwrap();
        cargo(&out, &["clippy", "--quiet", "--workspace", "--all-targets", "--", "-D", "warnings"]);
        if split {
            cargo(&out, &["doc", "--quiet", "--no-deps", "--workspace"]);
            cargo(&out, &["check", "--quiet", "--no-default-features", "--features", "beta"]);
            cargo(&out, &["check", "--quiet", "--no-default-features", "--features", "alpha"]);
            // Each member crate alone, as `cargo check -p` builds it: without the facade's features.
            for member in ["split-demo-shared", "split-demo-alpha", "split-demo-beta", "split-demo-gamma"] {
                cargo(&out, &["check", "--quiet", "-p", member]);
            }
        }
    }
}

#[test]
fn rewriting_whole_removes_the_member_crates() {
    let out = root().join("target/split-check/switch");
    let _ = std::fs::remove_dir_all(&out);
    let report = settings(true).write_to(&out).unwrap();
    assert!(report.changes.added.iter().any(|f| f == "crates/split-demo-shared/src/lib.rs"));
    // A hand-written crate beside the members is not the generator's.
    std::fs::create_dir_all(out.join("crates/mine/src")).unwrap();
    std::fs::write(out.join("crates/mine/Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
    std::fs::write(out.join("crates/mine/src/lib.rs"), "// @generated by openapi-rustgen, but in a crate of its own\n").unwrap();
    let report = settings(false).write_to(&out).unwrap();
    let mut removed = report.changes.stale.clone();
    removed.sort();
    assert_eq!(
        removed,
        [
            "crates/split-demo-alpha/Cargo.toml",
            "crates/split-demo-alpha/src/lib.rs",
            "crates/split-demo-beta/Cargo.toml",
            "crates/split-demo-beta/src/lib.rs",
            "crates/split-demo-gamma/Cargo.toml",
            "crates/split-demo-gamma/src/lib.rs",
            "crates/split-demo-shared/Cargo.toml",
            "crates/split-demo-shared/src/de.rs",
            "crates/split-demo-shared/src/lib.rs",
            "crates/split-demo-shared/src/string_enum.rs",
        ]
    );
    assert!(out.join("crates/mine/src/lib.rs").exists());
    assert_eq!(report.changes.changed, ["Cargo.toml", "src/models.rs"]);
}
