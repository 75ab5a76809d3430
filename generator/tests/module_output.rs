//! Module output (`Settings::module`) for every fixture, all included in one crate whose
//! `build.rs` generates them into `OUT_DIR`: each compiles at its own path beside the others,
//! without warnings, APIs split into features included.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn every_fixture_compiles_as_a_module_beside_the_others() {
    let root = root();
    let fixtures = root.join("generator/tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();

    let dir = root.join("target/module-check");
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    // The example crate's manifest, as a crate of its own (with the generator by absolute path).
    let manifest = std::fs::read_to_string(root.join("examples/build-rs-consumer/Cargo.toml"))
        .unwrap()
        .replace("name = \"build-rs-consumer\"", "name = \"module-check\"")
        .replace("edition = \"2024\"", "edition = \"2021\"")
        .replace("path = \"../../generator\"", &format!("path = {:?}", root.join("generator").display().to_string()));
    // Generated modules must compile in an edition 2021 crate too (the example itself is 2024).
    assert!(manifest.contains("edition = \"2021\""), "the example's manifest no longer names edition 2024:\n{manifest}");
    // The libraries the `formats_*` fixtures map string formats to, as their Cargo.toml has them.
    let manifest = manifest.replacen(
        "[dependencies]\n",
        "[dependencies]\njiff = { version = \"0.2\", default-features = false, features = [\"std\", \"serde\"] }\ntime = { version = \"0.3.36\", default-features = false, features = [\"std\", \"formatting\", \"parsing\"] }\nuuid = { version = \"1\", features = [\"serde\"] }\n",
        1,
    );
    std::fs::write(dir.join("Cargo.toml"), format!("{manifest}\n[workspace]\n")).unwrap();
    support::pin_lock(&dir);
    let mut build = String::from("fn main() {\n    let out = std::env::var_os(\"OUT_DIR\").unwrap();\n");
    let mut lib = String::new();
    for name in &names {
        let spec = fixtures.join(name).join("openapi.yaml");
        let config = fixtures.join(name).join("codegen.yaml");
        let config = if config.exists() { format!(".config({:?})", config.display().to_string()) } else { String::new() };
        build.push_str(&format!(
            "    generator::Settings::new({:?}){config}.module(\"crate::fixtures::{name}\").write_to(&out).unwrap();\n",
            spec.display().to_string()
        ));
        lib.push_str(&format!("    pub mod {name} {{\n        include!(concat!(env!(\"OUT_DIR\"), \"/{name}.rs\"));\n    }}\n"));
    }
    build.push_str("}\n");
    std::fs::write(dir.join("build.rs"), build).unwrap();
    std::fs::write(dir.join("src/lib.rs"), format!("//! Every fixture as a module.\n\n/// The fixtures.\npub mod fixtures {{\n{lib}}}\n")).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--quiet", "--all-targets"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", support::shared_target())
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the fixtures as modules do not compile:\n{stderr}");
    assert!(!stderr.contains("warning:"), "warnings:\n{stderr}");
}
