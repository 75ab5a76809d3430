//! The published package is self-contained: `cargo package` succeeds, the extracted `.crate`
//! builds alone, outside the workspace, and the binary built from it generates
//! the users crate byte for byte like the workspace's binary, and like `generated/` apart from
//! the lines that name how it was made.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target") {
                    stack.push(p);
                }
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}


#[test]
fn packaged_crate_builds_and_generates_the_users_crate() {
    let root = root();
    // A target folder of its own: the binary built below must not take the place of the
    // workspace's `target/debug/openapi-rustgen`, which it is compared with. `--no-verify`:
    // that build, from the extracted package outside the workspace, stands in for cargo's
    // verify, which would build the same dependencies a second time. It builds the binary
    // only (cargo's would build every default target, and check that the build leaves the
    // sources alone; the build script writes only into `OUT_DIR`), and its binary is run.
    let target = root.join("target/package-check");
    run(cargo()
        .args(["package", "-p", "openapi-rustgen", "--allow-dirty", "--no-verify", "--quiet"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target));
    let version = env!("CARGO_PKG_VERSION");
    let krate = target.join(format!("package/openapi-rustgen-{version}.crate"));

    // Build the binary from the extracted package, outside the workspace (cargo looks for a
    // workspace above a package, so not below the project either). The place is fixed so a
    // second run rebuilds only the generator.
    let tmp = tempfile::tempdir().unwrap();
    let unpacked = std::env::temp_dir().join("openapi-rustgen-package-check");
    let _ = std::fs::remove_dir_all(&unpacked);
    std::fs::create_dir_all(&unpacked).unwrap();
    // `m`: files get the time of extraction, so cargo sees them as newer than the last build.
    run(Command::new("tar").arg("xzmf").arg(&krate).arg("-C").arg(&unpacked));
    let pkg = unpacked.join(format!("openapi-rustgen-{version}"));
    assert!(pkg.join("templates/runtime/client.rs").is_file(), "the templates are in the package");
    run(cargo()
        .args(["build", "--quiet", "--bin", "openapi-rustgen"])
        .current_dir(&pkg)
        .env("CARGO_TARGET_DIR", target.join("extracted")));
    let packaged = target.join("extracted/debug/openapi-rustgen");

    // The same arguments, so the headers (which quote the command) match too.
    let generate = |bin: &Path, place: &str| {
        let dir = tmp.path().join(place);
        std::fs::create_dir_all(&dir).unwrap();
        run(Command::new(bin)
            .arg("--config")
            .arg(root.join("spec/codegen.yaml"))
            .args(["--name", support::PROJECT_CRATE, "--out", "users"])
            .current_dir(&dir));
        read_tree(&dir.join("users"))
    };
    let from_package = generate(&packaged, "package");
    let from_workspace = generate(Path::new(support::BIN), "workspace");
    assert_eq!(from_package.keys().collect::<Vec<_>>(), from_workspace.keys().collect::<Vec<_>>());
    for (path, text) in &from_package {
        assert!(text == &from_workspace[path], "{path} differs between the packaged and the workspace generator");
    }

    // And what they generate is `generated/`, once the command and inputs are named as
    // `cargo xtask codegen` names them (the manifest differs as a standalone crate's does).
    let command = format!("openapi-rustgen --config {}/spec/codegen.yaml --out users --name {}", root.display(), support::PROJECT_CRATE);
    let as_project = |t: &str| t.replace(&command, support::PROJECT_COMMAND).replace(&format!("{}/", root.display()), "");
    let golden = read_tree(&root.join("generated"));
    for (path, text) in golden.iter().filter(|(_, t)| t.contains("@generated by openapi-rustgen")) {
        let ours = from_package.get(path).unwrap_or_else(|| panic!("{path} is missing from the packaged output"));
        if path != "Cargo.toml" {
            assert!(&as_project(ours) == text, "{path} differs from generated/");
        }
    }
}
