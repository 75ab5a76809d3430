//! The Prism mock server for contract tests: found, started on 127.0.0.1 with `--errors`
//! for the crate's document, its log read for violations, and stopped when dropped.
//!
//! Prism (`@stainless-api/prism-cli`) is found through `PRISM_BIN`, else in
//! `target/tools/node_modules/.bin/prism` in this folder or one above it, else as `prism` on
//! `PATH`. The document is `CONTRACT_SPEC` if set, else the one the crate was generated with.
//! Without either, a test is a skip that shows (`SKIPPED <binary>::<test>: <reason>`), and a
//! failure when `CI` is set.

use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write as _};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long Prism may take to read a document and listen (a large one takes a while).
const START_TIMEOUT: Duration = Duration::from_secs(300);

/// The running test could not do its work, for `reason`: a failure with `CI` set, a
/// `SKIPPED` line on stderr (past the harness's capture) otherwise.
#[track_caller]
pub fn skip(reason: &str) {
    let file = Path::new(std::panic::Location::caller().file());
    let binary = file.file_stem().map_or_else(|| "?".into(), |s| s.to_string_lossy());
    let thread = std::thread::current();
    let name = format!("{binary}::{}", thread.name().unwrap_or("?"));
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI is set, so {name} may not skip: {reason}");
    }
    let _ = std::io::stderr().write_all(format!("SKIPPED {name}: {reason}\n").as_bytes());
}

/// The Prism executable, or why there is none.
pub fn find() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("PRISM_BIN").filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        return if bin.is_file() { Ok(bin) } else { Err(format!("PRISM_BIN={} does not exist", bin.display())) };
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in here.ancestors() {
        let bin = dir.join("target/tools/node_modules/.bin/prism");
        if bin.is_file() {
            return Ok(bin);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let bin = dir.join("prism");
            if bin.is_file() {
                return Ok(bin);
            }
        }
    }
    Err("Prism is not installed: `npm install --prefix target/tools @stainless-api/prism-cli@5.15.0`, or set PRISM_BIN".into())
}

/// The document to mock: `CONTRACT_SPEC`, else `default` relative to the crate's folder.
pub fn spec(default: Option<&str>) -> Result<PathBuf, String> {
    let path = match std::env::var_os("CONTRACT_SPEC").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => match default {
            Some(d) => Path::new(env!("CARGO_MANIFEST_DIR")).join(d),
            None => return Err("CONTRACT_SPEC is not set (the OpenAPI document to mock)".into()),
        },
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} is not a file (the OpenAPI document to mock)", path.display()))
    }
}

/// A free port on 127.0.0.1 (released right away for Prism to take).
fn free_port() -> u16 {
    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)).expect("a free port on 127.0.0.1");
    listener.local_addr().expect("the port's address").port()
}

/// The line without ANSI colour sequences.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
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

/// Lines where Prism reports a problem: request violations, invalid security, errors.
pub fn problems(lines: &[String]) -> Vec<String> {
    lines.iter().filter(|l| l.contains('✖') || l.contains("Violation:") || l.contains(" fatal ")).cloned().collect()
}

/// The message of a log line, after its level word (`error`).
fn after_level(line: &str) -> &str {
    line.split_once(" error ").map_or(line, |(_, m)| m.trim_start())
}

/// Whether a log line is Prism's note of a request arriving.
fn is_request(line: &str) -> bool {
    line.contains("Request received")
}

/// A running `prism mock`; killed when dropped, also when the test panics.
pub struct Prism {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    readers: Vec<JoinHandle<()>>,
    base_url: String,
}

impl Prism {
    /// Prism mocking `spec`, or `None` after a skip saying what is missing.
    #[track_caller]
    pub fn start_or_skip(default_spec: Option<&str>) -> Option<Prism> {
        let found = find().and_then(|bin| Ok((bin, spec(default_spec)?)));
        match found {
            Ok((bin, spec)) => Some(Prism::start(&bin, &spec)),
            Err(reason) => {
                skip(&reason);
                None
            }
        }
    }

    /// Starts `bin mock --errors` for `spec` and waits until it listens.
    pub fn start(bin: &Path, spec: &Path) -> Prism {
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
                    log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                    buf.clear();
                }
            }));
        }
        let prism = Prism { child, log, readers, base_url: format!("http://127.0.0.1:{port}") };
        prism.wait_until_listening(port);
        prism
    }

    fn wait_until_listening(&self, port: u16) {
        let deadline = Instant::now() + START_TIMEOUT;
        let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into();
        loop {
            let announced = self.lines().iter().any(|l| l.contains("is listening on"));
            if announced && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            // A dead Prism shows up as closed output streams.
            if self.readers.iter().all(JoinHandle::is_finished) {
                panic!("prism exited before listening:\n{}", self.lines().join("\n"));
            }
            if Instant::now() > deadline {
                panic!("prism did not listen on {port} within {START_TIMEOUT:?}:\n{}", self.lines().join("\n"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's URL (`http://127.0.0.1:PORT`), for `ClientBuilder::base_url`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Everything Prism has written so far, one line each, colours removed.
    pub fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn line_count(&self) -> usize {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Waits until Prism has written nothing for a moment: it may log a request's violations
    /// after it has answered it.
    pub fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = usize::MAX;
        while Instant::now() < deadline {
            let now = self.line_count();
            if now == last {
                return;
            }
            last = now;
            std::thread::sleep(Duration::from_millis(400));
        }
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

/// What a call meets that is neither the client's fault nor the document's wire, named by the
/// generator for the operation and shown in the summary whenever it applies.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code, reason = "a crate with no upgrade, stray path parameter or such multipart part names none of them (`expect` would fail where one does)")]
pub enum Known {
    /// The operation documents only `101 Switching Protocols` (a WebSocket upgrade, which
    /// the client does not speak): that answer is the one expected.
    Upgrade,
    /// A multipart part sent as JSON text (an object, array or untyped property) or as
    /// repeated parts (a list): Prism 5.15.0 reads every part as text and keeps one part per
    /// name, so it reports `property NAME must be object` (or `array`) for a part sent as the
    /// document says, and answers with its validation error.
    PrismMultipartPart(&'static str),
    /// An `in: path` parameter the operation declares but its path template does not name (a
    /// fault of the document): no URL can carry it, so Prism reports it missing from every
    /// request (`request.path must have required property 'NAME'`) and answers with its
    /// validation error.
    StrayPathParameter(&'static str),
}

impl Known {
    /// Whether a problem line Prism logged is this known limitation.
    fn covers(&self, line: &str) -> bool {
        match self {
            Known::Upgrade => false,
            Known::PrismMultipartPart(name) => {
                ["object", "array"].iter().any(|t| line.ends_with(&format!("property {name} must be {t}")))
            }
            Known::StrayPathParameter(name) => line.ends_with(&format!("Request path must have required property '{name}'")),
        }
    }
}

/// Answers of Prism that show a fault of the document or of Prism, not of the request (which
/// Prism validated first and found valid): the reason, when `failure` is one.
fn known_answer(failure: &Failure) -> Option<&'static str> {
    let body = failure.body.as_deref()?;
    match failure.status? {
        // With `--errors` Prism checks the response it made up against the document too: when
        // only `response` locations fail, the document's own example breaks its schema.
        500 if body.contains("errors#VIOLATIONS") && !body.contains("\"location\":[\"request\"") && body.contains("\"location\":[\"response\"") => {
            Some("the document's response example does not fit its own response schema (Prism answers 500 under --errors)")
        }
        // A response media range (`image/*`) names no type Prism can write a body in.
        500 if body.contains("errors#UNKNOWN") && body.contains("Cannot find serializer for") => {
            Some("Prism 5.15.0 cannot write a response body for a media range such as `image/*`")
        }
        _ => None,
    }
}

/// How a call ended badly: the status and body when the server answered, and what went wrong.
pub struct Failure {
    pub status: Option<u16>,
    pub body: Option<String>,
    pub message: String,
}

/// One call of an operation and what came of it.
struct Call {
    label: String,
    /// Where Prism's log stood when the call began.
    log_start: usize,
    error: Option<Failure>,
    known: &'static [Known],
}

/// Calls made one after another against one Prism, each request's log lines told apart by
/// Prism's `Request received` line, so every violation is charged to the call that sent it.
pub struct Run<'p> {
    prism: &'p Prism,
    calls: Vec<Call>,
}

impl<'p> Run<'p> {
    pub fn new(prism: &'p Prism) -> Self {
        Run { prism, calls: Vec::new() }
    }

    /// Awaits one call of operation `op` (`resource.method`) with `args` (`required` or `all`);
    /// `known` are the limitations the generator expects it to meet.
    pub async fn call(&mut self, op: &str, args: &str, known: &'static [Known], call: impl Future<Output = Result<(), Failure>>) {
        let log_start = self.prism.line_count();
        let error = call.await.err();
        self.calls.push(Call { label: format!("{op} ({args})"), log_start, error, known });
    }

    /// Reads the log, prints what was known and a summary (`contract: …`), and fails on any
    /// call that failed or any violation Prism logged, other than the known ones printed.
    pub fn finish(self) {
        self.prism.settle();
        let lines = self.prism.lines();
        // A request's lines run from its `Request received` to the next one; the call a
        // request belongs to is the one during which it arrived.
        let starts: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| is_request(l)).map(|(i, _)| i).collect();
        let mut report = Vec::new();
        let mut noted = Vec::new();
        let (mut violations, mut other, mut failed, mut requests) = (0, 0, 0, 0);
        let (mut part_violations, mut stray_violations, mut upgraded, mut answers) = (0, 0, 0, 0);
        for (i, call) in self.calls.iter().enumerate() {
            let end = self.calls.get(i + 1).map_or(usize::MAX, |c| c.log_start);
            let mine: Vec<usize> = starts.iter().copied().filter(|&s| s >= call.log_start && s < end).collect();
            requests += mine.len();
            let mut all = Vec::new();
            for &s in &mine {
                let stop = starts.iter().copied().find(|&n| n > s).unwrap_or(lines.len());
                all.extend(problems(&lines[s..stop]));
            }
            let answer = call.error.as_ref().and_then(known_answer);
            let (known, found): (Vec<String>, Vec<String>) = all.into_iter().partition(|l| {
                call.known.iter().any(|k| k.covers(l)) || (answer.is_some() && l.contains("Request terminated with error"))
            });
            let upgrade = call.known.iter().any(|k| matches!(k, Known::Upgrade));
            let status = call.error.as_ref().and_then(|e| e.status);
            let is_stray = |l: &String| call.known.iter().any(|k| matches!(k, Known::StrayPathParameter(_)) && k.covers(l));
            let stray = known.iter().filter(|l| l.contains("Violation:") && is_stray(l)).count();
            let parts = known.iter().filter(|l| l.contains("Violation:")).count() - stray;
            let error = match (&call.error, answer) {
                (Some(_), Some(reason)) => {
                    answers += 1;
                    noted.push(format!("{}: answered {}: {reason}", call.label, status.unwrap_or(0)));
                    None
                }
                (Some(_), None) if upgrade && status == Some(101) => {
                    upgraded += 1;
                    noted.push(format!("{}: answered 101 Switching Protocols, the upgrade it documents (not followed)", call.label));
                    None
                }
                // Prism's answer to the parts it could not read or the path parameter no URL
                // carries, and nothing else wrong.
                (Some(_), None) if parts + stray > 0 && found.is_empty() && status.is_some_and(|s| (400..500).contains(&s)) => None,
                (Some(e), None) => Some(e.message.clone()),
                (None, _) if upgrade => Some("answered with success, but the operation documents only 101 Switching Protocols".into()),
                (None, _) => None,
            };
            if parts > 0 {
                part_violations += parts;
                noted.push(format!("{}: {parts} violation(s) of multipart parts Prism reads as text (a Prism 5.15.0 limitation)", call.label));
                noted.extend(known.iter().filter(|l| l.contains("Violation:") && !is_stray(l)).map(|l| format!("    {l}")));
            }
            if stray > 0 {
                stray_violations += stray;
                noted.push(format!("{}: {stray} violation(s) of path parameters the document declares but its path does not name (a document fault)", call.label));
                noted.extend(known.iter().filter(|l| l.contains("Violation:") && is_stray(l)).map(|l| format!("    {l}")));
            }
            violations += found.iter().filter(|l| l.contains("Violation:")).count();
            other += found.iter().filter(|l| !l.contains("Violation:") && !found.iter().any(|v| v.contains("Violation:") && v.ends_with(after_level(l)))).count();
            if error.is_some() || !found.is_empty() {
                failed += 1;
                report.push(format!("{}: {}", call.label, error.as_deref().unwrap_or("answered")));
                report.extend(found.iter().map(|l| format!("    {l}")));
            }
        }
        let summary = format!(
            "contract: {} calls, {requests} requests, {violations} violations, {other} other errors logged, {failed} calls failed; known and shown above: {part_violations} multipart part violations (Prism), {stray_violations} violations of path parameters outside the path (document), {upgraded} upgrades answered 101, {answers} answers from a document or Prism fault\n",
            self.calls.len()
        );
        let mut out = noted.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&summary);
        let _ = std::io::stderr().write_all(out.as_bytes());
        assert!(report.is_empty(), "{summary}{}", report.join("\n"));
        assert!(requests >= self.calls.len(), "{summary}prism saw fewer requests than calls were made:\n{}", lines.join("\n"));
    }
}
