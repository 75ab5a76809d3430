//! The exit codes of the real `openapi-rustgen` binary, end to end: 0 fresh, 1 stale with
//! `--check` (with the message and the command to run), 2 bad input, 3 an I/O failure while
//! writing. CI relies on the exit code alone, so each is checked on the process, not on the
//! library's `exit_code()`.

mod support;

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{snapshot, BIN};

use support::PETS as SPEC;

/// A spec file and an output folder in a scratch directory.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(spec: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pets.yaml"), spec).unwrap();
        Case { dir }
    }

    fn spec(&self) -> PathBuf {
        self.dir.path().join("pets.yaml")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn command(&self, extra: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--spec").arg(self.spec()).arg("--out").arg(self.out()).args(["--name", "pets"]).args(extra);
        c
    }

    /// Runs the binary; exit code, stdout, stderr.
    fn run(&self, extra: &[&str]) -> (i32, String, String) {
        outcome(self.command(extra))
    }
}

fn outcome(mut command: Command) -> (i32, String, String) {
    let output = command.output().expect("run openapi-rustgen");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = output.status.code().unwrap_or_else(|| panic!("ended by a signal: {stderr}"));
    (code, String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
}

fn append(path: &Path, text: &str) {
    let mut body = std::fs::read_to_string(path).unwrap();
    body.push_str(text);
    std::fs::write(path, body).unwrap();
}

#[test]
fn check_exits_0_on_a_fresh_folder_and_1_on_a_stale_one() {
    let case = Case::new(SPEC);
    let (code, _, stderr) = case.run(&[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = case.run(&["--check"]);
    assert_eq!(code, 0, "fresh folder: {stderr}");
    assert!(stdout.contains("is fresh"), "{stdout}");

    // A hand edit of a generated file: stale, with a diff and the command that fixes it.
    append(&case.out().join("src/lib.rs"), "// edited by hand\n");
    let before = snapshot(&case.out());
    let (code, _, stderr) = case.run(&["--check"]);
    assert_eq!(code, 1, "stale folder: {stderr}");
    let command = format!("openapi-rustgen --spec {} --out {} --name pets", case.spec().display(), case.out().display());
    assert!(
        stderr.contains(&format!("is stale (1 changed, 0 missing, 0 stale); run `{command}` to regenerate it")),
        "{stderr}"
    );
    assert!(stderr.contains("-// edited by hand"), "the diff shows the edit:\n{stderr}");
    support::assert_same("--check", &before, &snapshot(&case.out()));

    // A missing generated file is stale too.
    case.run(&[]);
    std::fs::remove_file(case.out().join("src/client.rs")).unwrap();
    let (code, _, stderr) = case.run(&["--check"]);
    assert_eq!(code, 1, "missing file: {stderr}");
    assert!(stderr.contains("is stale (0 changed, 1 missing, 0 stale)"), "{stderr}");
    assert!(!case.out().join("src/client.rs").exists(), "--check wrote a file");
}

#[test]
fn check_exits_2_on_bad_input() {
    let case = Case::new("openapi: 3.0.3\ninfo: [unclosed\n");
    let (code, _, stderr) = case.run(&["--check"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("pets.yaml:"), "names the file and line: {stderr}");
    assert!(!case.out().exists(), "--check created the output folder");
}

/// A write that fails half-way (here the file size limit, which root cannot bypass as it can
/// permissions): exit 3, and the folder is left as it was.
#[test]
fn write_failure_exits_3_and_leaves_the_folder_as_it_was() {
    let case = Case::new(SPEC);
    std::fs::create_dir_all(case.out().join("tests")).unwrap();
    std::fs::write(case.out().join("tests/mine.rs"), "// hand-written\n").unwrap();
    let before = snapshot(&case.out());
    let mut command = case.command(&[]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            // Writing past the limit then fails with EFBIG instead of killing the process.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit { rlim_cur: 2048, rlim_max: 2048 };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (code, _, stderr) = outcome(command);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    support::assert_same("failed write", &before, &snapshot(&case.out()));
}
