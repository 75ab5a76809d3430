//! Contract tests: the generated client against a Prism mock server
//! (`@stainless-api/prism-cli`, the version Cloudflare's SDKs use) started on
//! 127.0.0.1 with `--errors`, for our `spec/openapi.yaml` and the upstream
//! excerpt in `../shared/upstream/` (or `UPSTREAM_DIR`). Every operation is
//! called with an API token and with e-mail + key; the test fails on any
//! request or response violation Prism logs and on any response that does
//! not decode.
//!
//! Prism comes from `PRISM_BIN` or `target/tools`, where the test installs the pinned version
//! with `.ci/install-prism.sh` when it is missing; starting and reading it is the generated
//! contract test's support module (`tests/contract/prism.rs`). Without Prism, or without the upstream
//! excerpt, a test is a skip that shows, and a failure on CI (the generator's
//! `tests/support/skip.rs`, included here).

#[path = "../../generator/tests/support/skip.rs"]
mod skip;

// The generated contract test's Prism support (finding, starting and reading Prism), shared.
#[path = "contract/prism.rs"]
#[expect(dead_code, reason = "this test drives Prism itself; the generated test uses the rest")]
mod prism;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cloudflare_access_users::models::{UserCreateParams, UserListParams, UserUpdateParams};
use cloudflare_access_users::{encode_path, Client, Error, Request};
use prism::{problems, Prism};
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

/// Prism, or `None` after a skip saying why there is none. Not installed yet, the pinned
/// version is installed (repo-local, with `.ci/install-prism.sh`) once, so the test command
/// needs nothing set up by hand; that needs Node.js and npm.
fn prism_or_skip() -> Option<PathBuf> {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if std::env::var_os("PRISM_BIN").is_none() && !manifest_dir().join("../target/tools/node_modules/.bin/prism").is_file() {
        let script = manifest_dir().join("../.ci/install-prism.sh");
        let status = std::process::Command::new("bash").arg(&script).status();
        if !matches!(status, Ok(s) if s.success()) {
            skip::skip(&format!("prism not installed and {} failed ({status:?}); it needs Node.js and npm", script.display()));
            return None;
        }
    }
    prism::find().map_err(|reason| skip::skip(&reason)).ok()
}

fn client(prism: &Prism, auth: &str) -> Client {
    let builder = Client::builder()
        .base_url(prism.base_url())
        .max_retries(0)
        .timeout(Duration::from_secs(30));
    match auth {
        "token" => builder.api_token(TOKEN),
        _ => builder.api_key(EMAIL, KEY),
    }
    .build()
    .unwrap()
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
        failures.extend(call_every_operation(&client(&prism, auth), auth).await);
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
        .base_url(prism.base_url())
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
