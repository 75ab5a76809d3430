//! Shared by the integration tests: runs the generator binary as a child process under a
//! wall-clock limit (a hang is killed there) and reports its exit, output, elapsed time, CPU time
//! and peak memory (the kernel's `ru_utime`, `ru_stime` and `ru_maxrss`, read with `wait4`), so a
//! test can say "exit 2 within 5 s of CPU and 1 GB" whatever else the machine runs; snapshots
//! of folders; the project's generation settings; and skips that show (`skip.rs`).

#![allow(dead_code)] // each test binary uses part of it

pub mod skip;

/// The TypeScript SDK's reference page of the users API (Stainless's layout: a
/// `client.a.b.method(…)` line per method): in `REFERENCE_DIR` if set, otherwise
/// `../shared/reference` beside the repository.
pub fn reference_page() -> std::path::PathBuf {
    match std::env::var_os("REFERENCE_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => std::path::PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference"),
    }
    .join("000_e3852d0c2af423d6.txt")
}

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The target folder for the crates the tests generate and build: the workspace's own, so the
/// dependencies those crates share with it (tokio, hyper, rustls, reqwest, the generator's for a
/// build script) are built once, not once more per test. Cargo locks a target folder for each
/// build, not while `cargo test` runs the test binaries, so a test's nested build can take it.
pub fn shared_target() -> std::path::PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}

/// Gives a generated workspace at `dir` the project's lock file, so it resolves the versions
/// the workspace built (and needs no registry lookup of its own).
pub fn pin_lock(dir: &Path) {
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
}

/// A one-operation document the command-line tests generate from.
pub const PETS: &str = "openapi: 3.0.3
info:
  title: Pets
  version: '1'
paths:
  /pets/{pet_id}:
    get:
      operationId: getPet
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
";

/// The generator binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_openapi-rustgen");

/// How a limited run ended.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code, or `None` when the process died from a signal (or was killed at the limit).
    pub code: Option<i32>,
    /// The signal that ended it, if any (11 = SIGSEGV, 6 = SIGABRT: a stack overflow).
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// CPU time the process used (user and system): unlike `elapsed`, it does not grow when
    /// other work shares the cores.
    pub cpu: Duration,
    /// Peak resident memory in bytes.
    pub peak_rss: u64,
    /// True when the run was killed for exceeding the time limit.
    pub timed_out: bool,
}

impl Outcome {
    /// Asserts the run ended on its own, without a panic or a crash, within `secs` of CPU time
    /// and `mb` of memory.
    pub fn assert_bounded(&self, what: &str, secs: f64, mb: u64) {
        assert!(
            !self.timed_out,
            "{what}: still running after {:?} (killed)",
            self.elapsed
        );
        assert!(
            self.signal.is_none(),
            "{what}: died from signal {:?}; stderr:\n{}",
            self.signal,
            tail(&self.stderr)
        );
        assert!(
            !self.stderr.contains("panicked"),
            "{what}: panicked:\n{}",
            tail(&self.stderr)
        );
        assert!(
            self.cpu.as_secs_f64() <= secs,
            "{what}: used {:.2} s of CPU in {:.2} s (limit {secs} s of CPU)",
            self.cpu.as_secs_f64(),
            self.elapsed.as_secs_f64()
        );
        assert!(
            self.peak_rss <= mb * 1024 * 1024,
            "{what}: peak memory {} MB (limit {mb} MB)",
            self.peak_rss / (1024 * 1024)
        );
    }
}

/// The last lines of a long text, for assertion messages.
pub fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Runs `BIN args…` in `cwd`, killing it after `limit`.
pub fn run_limited(args: &[&std::ffi::OsStr], cwd: &Path, limit: Duration) -> Outcome {
    run_program(BIN.as_ref(), args, &[], cwd, limit)
}

/// Runs any program (the test binary itself, to do risky work in a child process) with extra
/// environment variables, killing it after `limit`.
///
/// The program is started by a small process of its own ([`support_measured_child`], this test
/// binary run for that one test), which reports its CPU time and peak memory. Started straight
/// from the test process, a child's peak memory as the kernel reports it is at least the test
/// process's own peak: the child is spawned sharing the test process's memory until it execs,
/// and that memory's high-water mark is carried over, so tests that build large documents in
/// memory would raise the figure measured for every later child.
pub fn run_program(
    program: &std::ffi::OsStr,
    args: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
    cwd: &Path,
    limit: Duration,
) -> Outcome {
    let files = tempfile::tempdir().expect("temp dir for the child's output");
    let (out_file, err_file, report) = (files.path().join("stdout"), files.path().join("stderr"), files.path().join("report"));
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = Command::new(exe);
    cmd.args(["support::support_measured_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_PROGRAM, program)
        .env(CHILD_CWD, cwd)
        .env(CHILD_STDOUT, &out_file)
        .env(CHILD_STDERR, &err_file)
        .env(CHILD_REPORT, &report)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (i, arg) in args.iter().enumerate() {
        cmd.env(format!("{CHILD_ARG}{i}"), arg);
    }
    for (i, (k, v)) in env.iter().enumerate() {
        cmd.env(format!("{CHILD_ENV}{i}"), format!("{k}={v}"));
    }
    // Its own process group, so that the limit kills the program too.
    use std::os::unix::process::CommandExt as _;
    cmd.process_group(0);
    let mut child = cmd.spawn().expect("start the measuring child");
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if rx.recv_timeout(limit).is_err() {
            // SAFETY: the group is the measuring child's, which is reaped only by the wait
            // below; kill signals every process in it.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            true
        } else {
            false
        }
    });
    let _ = child.wait();
    let elapsed = start.elapsed();
    let _ = tx.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let (stdout, stderr) = (read(&out_file), read(&err_file));
    let reported = read(&report);
    let fields: Vec<i64> = reported.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let (code, signal, cpu, peak_rss) = match fields[..] {
        [code, signal, cpu_us, rss_kb] => (
            (code >= 0).then_some(code as i32),
            (signal > 0).then_some(signal as i32),
            Duration::from_micros(cpu_us.max(0) as u64),
            rss_kb.max(0) as u64 * 1024,
        ),
        // Killed at the limit before it could report.
        _ => (None, Some(libc::SIGKILL), elapsed, 0),
    };
    assert!(timed_out || fields.len() == 4, "the measuring child reported {reported:?}");
    Outcome { code, signal, stdout, stderr, elapsed, cpu, peak_rss, timed_out }
}

const CHILD_PROGRAM: &str = "SUPPORT_CHILD_PROGRAM";
const CHILD_CWD: &str = "SUPPORT_CHILD_CWD";
const CHILD_STDOUT: &str = "SUPPORT_CHILD_STDOUT";
const CHILD_STDERR: &str = "SUPPORT_CHILD_STDERR";
const CHILD_REPORT: &str = "SUPPORT_CHILD_REPORT";
const CHILD_ARG: &str = "SUPPORT_CHILD_ARG_";
const CHILD_ENV: &str = "SUPPORT_CHILD_ENV_";

/// Not a test of its own: [`run_program`]'s measuring child. Started with the program to run in
/// its environment, it runs it (output to files), waits for it and writes its exit, signal, CPU
/// time and peak memory to the report file. Without that environment it does nothing.
#[test]
fn support_measured_child() {
    let Some(program) = std::env::var_os(CHILD_PROGRAM) else { return };
    let var = |k: &str| std::env::var_os(k).unwrap_or_else(|| panic!("{k} unset"));
    let mut cmd = Command::new(program);
    cmd.current_dir(var(CHILD_CWD))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(var(CHILD_STDOUT)).expect("stdout file"))
        .stderr(std::fs::File::create(var(CHILD_STDERR)).expect("stderr file"));
    for i in 0.. {
        let Some(arg) = std::env::var_os(format!("{CHILD_ARG}{i}")) else { break };
        cmd.arg(arg);
    }
    for i in 0.. {
        let Some(pair) = std::env::var(format!("{CHILD_ENV}{i}")).ok() else { break };
        let (k, v) = pair.split_once('=').expect("K=V");
        cmd.env(k, v);
    }
    for k in [CHILD_PROGRAM, CHILD_CWD, CHILD_STDOUT, CHILD_STDERR, CHILD_REPORT, "RUST_BACKTRACE"] {
        cmd.env_remove(k);
    }
    let child = cmd.spawn().expect("start the program");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: plain FFI call with valid pointers to locals; the child is ours and not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4 failed");
    std::mem::forget(child); // already reaped by wait4
    let (code, signal) = if libc::WIFEXITED(status) { (libc::WEXITSTATUS(status), 0) } else { (-1, libc::WTERMSIG(status)) };
    let cpu = timeval(usage.ru_utime) + timeval(usage.ru_stime);
    let report = format!("{code} {signal} {} {}\n", cpu.as_micros(), usage.ru_maxrss);
    std::fs::write(var(CHILD_REPORT), report).expect("write the report");
    // Nothing of this process's own test run is wanted.
    std::process::exit(0);
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// Runs the generator on `spec` into `out` (plus `extra` arguments) under `limit`.
pub fn generate(spec: &Path, out: &Path, extra: &[&str], limit: Duration) -> Outcome {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--spec".as_ref(),
        spec.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    run_limited(&args, spec.parent().unwrap_or(Path::new(".")), limit)
}

/// One entry of a folder [`snapshot`]; links and special files are recorded, never followed or
/// opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir,
    File(Vec<u8>),
    Link(std::path::PathBuf),
    /// A FIFO, socket or device.
    Special,
}

/// Everything under `dir` (not `dir` itself), by path: what a failed run must leave exactly as
/// it was. An absent `dir` gives an empty map.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Entry> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(kind) = e.file_type() else { continue };
            let entry = if kind.is_symlink() {
                Entry::Link(std::fs::read_link(&p).unwrap_or_default())
            } else if kind.is_dir() {
                stack.push(p.clone());
                Entry::Dir
            } else if kind.is_file() {
                Entry::File(std::fs::read(&p).unwrap_or_default())
            } else {
                Entry::Special
            };
            out.insert(p, entry);
        }
    }
    out
}

/// Asserts two snapshots are equal, naming the paths that differ.
pub fn assert_same(
    what: &str,
    before: &std::collections::BTreeMap<std::path::PathBuf, Entry>,
    after: &std::collections::BTreeMap<std::path::PathBuf, Entry>,
) {
    let differ: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| format!("{} ({:?} → {:?})", k.display(), before.get(k).map(brief), after.get(k).map(brief)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(differ.is_empty(), "{what}: the folder changed:\n{}", differ.join("\n"));
}

fn brief(e: &Entry) -> String {
    match e {
        Entry::File(b) => format!("file of {} bytes", b.len()),
        other => format!("{other:?}"),
    }
}

/// Copies the folder `from` to `to`, leaving out `target` folders.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Every file under `dir` by its relative path (`/`-separated) and text.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// The project's crate name, command and inputs, as `xtask/src/main.rs` states them for
/// `cargo xtask codegen` (the golden test holds both to `generated/`).
pub const PROJECT_CRATE: &str = "cloudflare-access-users";
pub const PROJECT_COMMAND: &str = "cargo xtask codegen";
pub const PROJECT_INPUTS: &str = "spec/openapi.yaml and spec/codegen.yaml";

/// `cargo xtask codegen` for the workspace at `root`: `spec/codegen.yaml` into `generated/`.
pub fn project_settings(root: &Path) -> generator::Settings {
    generator::Settings::from_config(root.join("spec/codegen.yaml"))
        .crate_name(PROJECT_CRATE)
        .command(PROJECT_COMMAND)
        .standalone(false)
        .inputs_relative_to(root)
}

/// The same generation for a document already in memory (an edited copy of the spec) and the
/// parsed `spec/codegen.yaml`.
pub fn project_input<'a>(doc: &'a generator::Document, config: &'a generator::Config) -> generator::Input<'a> {
    generator::Input {
        doc,
        config,
        default_crate_name: PROJECT_CRATE,
        command: PROJECT_COMMAND,
        inputs_label: PROJECT_INPUTS,
        standalone: false,
        module: None,
    }
}

/// What a spec-diff pull-request comment holds: the table rows it lists (each `(level heading,
/// row)`, in order, table heads left out), and the number its note says were left out.
pub fn comment_rows(md: &str) -> (Vec<(String, String)>, usize) {
    let mut rows = Vec::new();
    let mut heading = String::new();
    for line in md.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            heading = h.to_string();
        } else if line.starts_with("| ") && !line.starts_with("| Operation |") && !line.starts_with("| --- |") {
            rows.push((heading.clone(), line.to_string()));
        }
    }
    let left_out = md
        .lines()
        .find_map(|l| l.strip_prefix("> **"))
        .and_then(|l| l.split(' ').next())
        .map_or(0, |n| n.parse().expect("the note starts with a count"));
    (rows, left_out)
}
