//! `cargo xtask codegen --check`, the command CI runs, as a process: exit 0 on the checked-in
//! `generated/`, and exit 1 with "is stale" and the command to run on a stale copy of it.

use std::path::{Path, PathBuf};
use std::process::Command;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let output = Command::new(XTASK).args(args).output().expect("run xtask");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code().unwrap_or_else(|| panic!("ended by a signal: {stderr}"));
    (code, String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
}

/// Copies `from` into `to`, files and folders only.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn codegen_check_passes_on_the_checked_in_crate() {
    let (code, stdout, stderr) = run(&["codegen".as_ref(), "--check".as_ref()]);
    assert_eq!(code, 0, "generated/ is stale; run `cargo xtask codegen`:\n{stderr}");
    assert!(stdout.contains("is fresh"), "{stdout}");
}

#[test]
fn codegen_check_exits_1_on_a_stale_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("generated");
    copy_tree(&root().join("generated"), &copy);
    let (code, _, stderr) = run(&["codegen".as_ref(), "--check".as_ref(), "--out".as_ref(), copy.as_os_str()]);
    assert_eq!(code, 0, "the copy is fresh before the edit:\n{stderr}");

    let lib = copy.join("src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).unwrap();
    text.push_str("// edited by hand\n");
    std::fs::write(&lib, &text).unwrap();
    let (code, _, stderr) = run(&["codegen".as_ref(), "--check".as_ref(), "--out".as_ref(), copy.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("is stale (1 changed, 0 missing, 0 stale); run `cargo xtask codegen` to regenerate it"),
        "{stderr}"
    );
    assert!(stderr.contains("-// edited by hand"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), text, "--check wrote");
}

#[test]
fn codegen_exits_2_on_a_bad_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("bad.yaml");
    std::fs::write(&spec, "openapi: 3.0.3\ninfo: [unclosed\n").unwrap();
    let out = tmp.path().join("out");
    let (code, _, stderr) = run(&["codegen".as_ref(), "--check".as_ref(), "--spec".as_ref(), spec.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad.yaml:"), "{stderr}");
}
