//! One small API written as OpenAPI 3.0, 3.1 and 3.2 (`tests/versions/v3*.yaml`), and another
//! written as Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2 (`tests/versions/pets-v*.yaml`), each
//! generate the same crate from every version: the same files with the same bytes, apart from
//! the title (which names the version).

use std::collections::BTreeMap;
use std::path::Path;

fn generate(file: &str) -> (BTreeMap<String, String>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/versions").join(file);
    let doc = generator::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let config = generator::Config::default();
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "versions",
        command: "cargo test -p openapi-rustgen --test versions",
        inputs_label: "openapi.yaml",
        standalone: true,
        module: None,
    };
    let generated = generator::generate(&input).unwrap_or_else(|e| panic!("{file}: {e}"));
    let diags = generated.diagnostics.iter().map(|d| d.code.to_string()).collect();
    (generated.files, diags)
}

/// The text that differs by construction: the title's version.
fn masked(text: &str, title: &str, version: &str) -> String {
    text.replace(&format!("{title} ({version})"), &format!("{title} (V)"))
}

#[test]
fn the_same_api_in_every_version_generates_the_same_crate() {
    let (base, base_diags) = generate("v30.yaml");
    assert!(base_diags.is_empty(), "3.0: {base_diags:?}");
    assert!(base["src/models.rs"].contains("pub enum PetTag"), "the union of types is generated");
    same_as_3_0(&base, "Versions", &[("v31.yaml", "3.1"), ("v32.yaml", "3.2")]);
}

/// The pet store of `pets-v*.yaml` uses what Swagger 2.0 can say: `host`/`basePath`/`schemes`,
/// `securityDefinitions`, shared parameters and responses, body and form parameters (one a
/// file), `collectionFormat`, `x-nullable`, response headers, a file response.
#[test]
fn the_same_api_in_swagger_2_and_openapi_3_generates_the_same_crate() {
    let (base, base_diags) = generate("pets-v30.yaml");
    assert!(base_diags.is_empty(), "3.0: {base_diags:?}");
    let models = &base["src/models.rs"];
    for want in ["pub nickname: Option<String>", "pub struct PetUploadPhotoParams", "pub file: crate::Upload"] {
        assert!(models.contains(want), "{want} in models.rs:\n{models}");
    }
    assert!(base["src/servers.rs"].contains("\"https://pets.example.com/v1\""), "{}", base["src/servers.rs"]);
    same_as_3_0(&base, "Pets", &[("pets-v20.yaml", "2.0"), ("pets-v31.yaml", "3.1"), ("pets-v32.yaml", "3.2")]);
}

fn same_as_3_0(base: &BTreeMap<String, String>, title: &str, others: &[(&str, &str)]) {
    for &(file, version) in others {
        let (files, diags) = generate(file);
        assert!(diags.is_empty(), "{file}: {diags:?}");
        assert_eq!(files.keys().collect::<Vec<_>>(), base.keys().collect::<Vec<_>>(), "{file}: the same files");
        for (name, text) in &files {
            let (ours, theirs) = (masked(text, title, version), masked(&base[name], title, "3.0"));
            if ours != theirs {
                let line = ours.lines().zip(theirs.lines()).position(|(a, b)| a != b).unwrap_or(0);
                panic!(
                    "{file}: {name} differs from 3.0's at line {}:\n  {}: {:?}\n  3.0: {:?}",
                    line + 1,
                    version,
                    ours.lines().nth(line),
                    theirs.lines().nth(line)
                );
            }
        }
    }
}
