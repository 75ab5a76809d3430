//! Contract tests: the generated client against a Prism mock server
//! (`@stainless-api/prism-cli`, the version Cloudflare's SDKs use) started on
//! 127.0.0.1 with `--errors`, for our `spec/openapi.yaml` and the upstream
//! excerpt in `../shared/upstream/` (or `UPSTREAM_DIR`). Every operation is
//! called with an API token and with e-mail + key; the test fails on any
//! request or response violation Prism logs and on any response that does
//! not decode.
//!
//! Prism comes from `PRISM_BIN` or `target/tools`, where the test installs the pinned version
//! with `.ci/install-prism.sh` when it is missing. Without Prism, or without the upstream
//! excerpt, a test is a skip that shows, and a failure on CI (the generator's
//! `tests/support/skip.rs`, included here).

#[path = "../../generator/tests/support/skip.rs"]
mod skip;

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cloudflare_access_users::models::{UserCreateParams, UserListParams, UserUpdateParams};
use cloudflare_access_users::{encode_path, Client, Error, Request};
use serde_json::{json, Value};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const USER_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";
const NONCE: &str = "X1aXj1lFVcqqyoXF";
const TOKEN: &str = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY";
const EMAIL: &str = "admin@example.com";
const KEY: &str = "144c9defac04969c7bfad8efaa8ea194";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Prism executable, or why there is none.
fn find_prism() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("PRISM_BIN").filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("PRISM_BIN={} does not exist", bin.display()))
        };
    }
    let bin = manifest_dir().join("../target/tools/node_modules/.bin/prism");
    if bin.is_file() {
        return Ok(bin);
    }
    // Not installed yet: install the pinned version (repo-local) once, so the test command
    // needs nothing set up by hand. Needs Node.js and npm.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if !bin.is_file() {
        let script = manifest_dir().join("../.ci/install-prism.sh");
        let status = std::process::Command::new("bash").arg(&script).status();
        if !matches!(status, Ok(s) if s.success()) {
            return Err(format!(
                "prism not installed and {} failed ({status:?}); it needs Node.js and npm",
                script.display()
            ));
        }
    }
    if bin.is_file() {
        Ok(bin)
    } else {
        Err("prism not installed; run .ci/install-prism.sh".to_owned())
    }
}

/// Prism, or `None` after a skip saying why there is none.
fn prism_or_skip() -> Option<PathBuf> {
    find_prism().map_err(|reason| skip::skip(&reason)).ok()
}

/// A free port on 127.0.0.1 (released right away for Prism to take).
fn free_port() -> u16 {
    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// Remove ANSI colour sequences.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A running `prism mock`; killed when dropped, also when the test panics.
struct Prism {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    readers: Vec<JoinHandle<()>>,
    base_url: String,
}

impl Prism {
    fn start(bin: &Path, spec: &Path) -> Prism {
        let port = free_port();
        let mut child = Command::new(bin)
            .args(["mock", "--errors", "-h", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let mut readers = Vec::new();
        let stdout = child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let log = log.clone();
            readers.push(std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut buf = Vec::new();
                while matches!(reader.read_until(b'\n', &mut buf), Ok(n) if n > 0) {
                    let line = strip_ansi(String::from_utf8_lossy(&buf).trim_end());
                    log.lock().unwrap().push(line);
                    buf.clear();
                }
            }));
        }
        let prism = Prism {
            child,
            log,
            readers,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        prism.wait_until_listening(port);
        prism
    }

    fn wait_until_listening(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(90);
        let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into();
        loop {
            let announced = self.lines().iter().any(|l| l.contains("is listening on"));
            if announced && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            // `try_wait` needs `&mut`; a dead Prism shows up as a closed log
            // plus a refused connection, so check the readers instead.
            if self.readers.iter().all(JoinHandle::is_finished) {
                panic!("prism exited before listening:\n{}", self.lines().join("\n"));
            }
            if Instant::now() > deadline {
                panic!(
                    "prism did not listen on {port} within 90 s:\n{}",
                    self.lines().join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Wait until Prism has written nothing for a moment: it logs a request's
    /// violations after it has answered it.
    fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = usize::MAX;
        while Instant::now() < deadline {
            let now = self.log.lock().unwrap().len();
            if now == last {
                return;
            }
            last = now;
            std::thread::sleep(Duration::from_millis(400));
        }
    }

    fn client(&self, auth: &str) -> Client {
        let builder = Client::builder()
            .base_url(&self.base_url)
            .max_retries(0)
            .timeout(Duration::from_secs(30));
        match auth {
            "token" => builder.api_token(TOKEN),
            _ => builder.api_key(EMAIL, KEY),
        }
        .build()
        .unwrap()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

/// Lines where Prism reports a problem: every error-level line (request and
/// response violations, invalid security, ...).
fn problems(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.contains('✖') || l.contains("Violation:") || l.contains(" fatal "))
        .cloned()
        .collect()
}

/// Call every operation (and the auto-paging list) and return what failed.
async fn call_every_operation(client: &Client, auth: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let mut check = |op: &str, outcome: Result<String, Error>| match outcome {
        Ok(summary) => println!("[{auth}] {op}: {summary}"),
        Err(e) => failures.push(format!("[{auth}] {op}: {e} ({e:?})")),
    };
    let users = client.zero_trust().access().users();

    let create = UserCreateParams {
        email: "jdoe@example.com".into(),
        name: Some("Jane Doe".into()),
    };
    check(
        "users.create",
        users
            .create(ACCOUNT, create)
            .send_with_response()
            .await
            .map(|r| format!("{} id={:?}", r.status(), r.id)),
    );
    let create_min = UserCreateParams {
        email: "sam@example.com".into(),
        name: None,
    };
    check(
        "users.create (email only)",
        users
            .create(ACCOUNT, create_min)
            .await
            .map(|u| format!("id={:?}", u.id)),
    );
    check(
        "users.get",
        users
            .get(ACCOUNT, USER_ID)
            .await
            .map(|u| format!("email={:?}", u.email)),
    );
    let update = UserUpdateParams {
        email: "jdoe@example.com".into(),
        name: "Jane Q. Doe".into(),
    };
    check(
        "users.update",
        users
            .update(ACCOUNT, USER_ID, update)
            .await
            .map(|u| format!("name={:?}", u.name)),
    );
    check(
        "users.list",
        users
            .list(ACCOUNT)
            .await
            .map(|p| format!("{} items, {:?}", p.len(), p.result_info)),
    );
    let filters = UserListParams {
        name: Some("Jane Doe".into()),
        email: Some("jdoe@example.com".into()),
        search: Some("jane".into()),
        page: Some(1),
        per_page: Some(100),
    };
    check(
        "users.list (all filters)",
        users
            .list(ACCOUNT)
            .params(filters)
            .send_with_response()
            .await
            .map(|r| format!("{} items, {:?}", r.len(), r.result_info())),
    );
    let mut stream = users.list(ACCOUNT).per_page(100).max_pages(20).auto_paging();
    let mut count = 0;
    let paged = loop {
        match stream.try_next().await {
            Ok(Some(_)) => count += 1,
            Ok(None) => break Ok(format!("{count} users")),
            Err(e) => break Err(e),
        }
    };
    check("users.list auto-paging", paged);
    check(
        "users.active_sessions.list",
        users
            .active_sessions()
            .list(ACCOUNT, USER_ID)
            .await
            .map(|s| format!("{} sessions", s.len())),
    );
    check(
        "users.active_sessions.get",
        users
            .active_sessions()
            .get(ACCOUNT, USER_ID, NONCE)
            .await
            .map(|s| {
                format!(
                    "is_active={:?} device_sessions={} devicePosture={} geo={:?}",
                    s.is_active,
                    s.device_sessions.map_or(0, |m| m.len()),
                    s.device_posture.map_or(0, |m| m.len()),
                    s.geo
                )
            }),
    );
    check(
        "users.last_seen_identity.get",
        users
            .last_seen_identity()
            .get(ACCOUNT, USER_ID)
            .await
            .map(|i| format!("email={:?} idp={:?}", i.email, i.idp)),
    );
    check(
        "users.failed_logins.list",
        users
            .failed_logins()
            .list(ACCOUNT, USER_ID)
            .await
            .map(|l| format!("{} entries", l.len())),
    );
    check(
        "users.delete",
        users
            .delete(ACCOUNT, USER_ID)
            .send_with_response()
            .await
            .map(|r| format!("{} {}", r.status(), r.into_inner())),
    );
    failures
}

/// Run the contract against `spec`: clean calls first, then one deliberately
/// invalid request to prove that violations are seen.
async fn contract(bin: &Path, spec: &Path) {
    assert!(spec.is_file(), "{} is missing", spec.display());
    println!("prism: {}\nspec: {}", bin.display(), spec.display());
    let prism = Prism::start(bin, spec);

    let mut failures = Vec::new();
    for auth in ["token", "email+key"] {
        failures.extend(call_every_operation(&prism.client(auth), auth).await);
    }
    prism.settle();
    let lines = prism.lines();
    let received = lines.iter().filter(|l| l.contains("Request received")).count();
    let violations = problems(&lines);
    assert!(
        failures.is_empty() && violations.is_empty(),
        "calls that failed:\n{}\n\nviolations logged by prism:\n{}\n\nprism log:\n{}",
        failures.join("\n"),
        violations.join("\n"),
        lines.join("\n")
    );
    assert!(
        received >= 24,
        "prism logged only {received} requests:\n{}",
        lines.join("\n")
    );
    println!("{received} requests, no violation");

    // Self-check: a create without the required `email` and without
    // credentials must be refused and show up as violations in the log.
    let before = prism.lines().len();
    let anonymous = Client::builder()
        .base_url(&prism.base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let path = format!("/accounts/{}/access/users", encode_path(ACCOUNT));
    let bad: Result<Value, Error> =
        Request::new(&anonymous, reqwest::Method::POST, "/accounts/{account_id}/access/users", path)
            .json(&json!({"name": "no email"}))
            .await;
    let err = bad.expect_err("prism accepted an invalid request");
    assert!(
        err.status().is_some_and(|s| s.is_client_error()),
        "{err:?}"
    );
    prism.settle();
    let seen = problems(&prism.lines()[before..]);
    assert!(
        seen.iter().any(|l| l.contains("email")) && seen.iter().any(|l| l.contains("security")),
        "the violations of an invalid request were not detected: {seen:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prism_contract_our_spec() {
    let Some(bin) = prism_or_skip() else { return };
    contract(&bin, &manifest_dir().join("../spec/openapi.yaml")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prism_contract_upstream_excerpt() {
    let Some(bin) = prism_or_skip() else { return };
    let Some(dir) = skip::upstream_or_skip() else { return };
    let spec = dir.join("cloudflare-access-users.openapi.yaml");
    if !spec.is_file() {
        skip::skip(&format!("{} is absent (the upstream excerpt)", spec.display()));
        return;
    }
    contract(&bin, &spec).await;
}
