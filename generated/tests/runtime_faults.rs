//! Fault-injection tests of the hand-written runtime (retries, timeouts,
//! errors, auth, path encoding) against in-process axum servers bound to
//! 127.0.0.1. They only use runtime items and local models, so they do not
//! depend on the generated resource code.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use cloudflare_access_users::{encode_path, Client, Error, Request, StatusClass, TransportKind};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
// Tokio's clock, so the tests of the long documented waits can run on a paused clock that
// jumps ahead while every task waits, instead of taking a minute of real time.
use tokio::time::Instant;

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: String,
    email: String,
    #[serde(default)]
    name: Option<String>,
}

const USER_TEMPLATE: &str = "/accounts/{account_id}/access/users/{user_id}";

/// `GET /accounts/{account_id}/access/users/{user_id}`, as generated code builds it.
fn get_user<'c>(client: &'c Client, account_id: &str, user_id: &str) -> Request<'c, User> {
    let path = format!(
        "/accounts/{}/access/users/{}",
        encode_path(account_id),
        encode_path(user_id)
    );
    Request::new(client, Method::GET, USER_TEMPLATE, path)
}

/// Serve `app` on an ephemeral loopback port; returns the base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A client for the test server with fast retries.
fn client(base: &str) -> Client {
    Client::builder()
        .api_token("test-token-0123456789")
        .base_url(base)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap()
}

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

fn user_json(id: &str) -> Value {
    json!({"id": id, "email": format!("{id}@example.com"), "name": null})
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A server whose handler gets the 1-based attempt number; returns base URL and counter.
async fn counting_server<F>(respond: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(usize) -> Response + Clone + Send + Sync + 'static,
{
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        let respond = respond.clone();
        async move { respond(n) }
    });
    (serve(app).await, hits)
}

#[tokio::test]
async fn rate_limited_429_honours_retry_after_then_succeeds() {
    let (base, hits) = counting_server(|n| {
        if n == 1 {
            let body = json!({"success": false, "errors": [{"code": 971, "message": "slow down"}], "messages": [], "result": null});
            let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, body);
            r.headers_mut().insert("retry-after", "1".parse().unwrap());
            r
        } else {
            json_response(StatusCode::OK, envelope(user_json("u1")))
        }
    })
    .await;
    let client = client(&base);
    let started = Instant::now();
    let user = get_user(&client, "acc", "u1").await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(user.id, "u1");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // The configured backoff is at most 20 ms: only Retry-After explains >= 1 s.
    assert!(elapsed >= Duration::from_secs(1), "elapsed {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "elapsed {elapsed:?}");
}

#[tokio::test]
async fn persistent_503_gives_up_after_three_attempts() {
    // Succeeds on the 4th attempt: a client retrying more than twice would pass.
    let (base, hits) = counting_server(|n| {
        if n <= 3 {
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"success": false, "errors": [{"code": 503, "message": "unavailable"}], "messages": [], "result": null}),
            )
        } else {
            json_response(StatusCode::OK, envelope(user_json("u1")))
        }
    })
    .await;
    let client = Client::builder()
        .api_token("t")
        .base_url(&base)
        .max_retries(2)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let err = get_user(&client, "acc", "u1").await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert!(err.is_server_error());
    assert_eq!(hits.load(Ordering::SeqCst), 3);

    // A per-request override wins over the client setting.
    hits.store(0, Ordering::SeqCst);
    let err = get_user(&client, "acc", "u1")
        .max_retries(0)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// A client with every documented default: only the credentials and the server's URL are set.
fn default_client(base: &str) -> Client {
    Client::builder().api_token("t").base_url(base).build().unwrap()
}

/// A server answering 503 (without `Retry-After`) to the first `failures` requests and 200
/// after that; returns the base URL and when each request arrived.
async fn unavailable_server(failures: usize) -> (String, Arc<Mutex<Vec<Instant>>>) {
    let arrivals: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let record = arrivals.clone();
    let app = Router::new().fallback(move || {
        let n = {
            let mut a = record.lock().unwrap();
            a.push(Instant::now());
            a.len()
        };
        async move {
            if n <= failures {
                json_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"success": false, "errors": [{"code": 503, "message": "unavailable"}], "messages": [], "result": null}),
                )
            } else {
                json_response(StatusCode::OK, envelope(user_json("u1")))
            }
        }
    });
    (serve(app).await, arrivals)
}

/// The waits between consecutive requests.
fn gaps(arrivals: &Mutex<Vec<Instant>>) -> Vec<Duration> {
    let a = arrivals.lock().unwrap();
    a.windows(2).map(|w| w[1] - w[0]).collect()
}

/// Asserts each wait is a backoff of `nominal` seconds: jitter takes off up to a quarter, and
/// a busy machine may add a little.
fn assert_backoffs(gaps: &[Duration], nominal: &[f64]) {
    assert_eq!(gaps.len(), nominal.len(), "{gaps:?}");
    for (i, (gap, n)) in gaps.iter().zip(nominal).enumerate() {
        let s = gap.as_secs_f64();
        assert!(
            s >= 0.75 * n - 0.01 && s <= n + 0.5,
            "wait before retry {}: {s:.3} s, expected {:.3}..{n} s (all waits: {gaps:?})",
            i + 1,
            0.75 * n
        );
    }
}

#[tokio::test]
async fn default_retries_are_two_after_half_a_second_then_one() {
    // Succeeds on the 4th attempt: a client retrying more than twice by default would pass.
    let (base, arrivals) = unavailable_server(3).await;
    let err = get_user(&default_client(&base), "acc", "u1").await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE), "{err:?}");
    assert_eq!(arrivals.lock().unwrap().len(), 3, "attempts with the default retries");
    assert_backoffs(&gaps(&arrivals), &[0.5, 1.0]);
}

#[tokio::test(start_paused = true)]
async fn default_backoff_doubles_up_to_eight_seconds() {
    // Seven attempts: waits of 0.5, 1, 2, 4 and 8 s, then 8 s again where doubling would
    // give 16 s.
    let (base, arrivals) = unavailable_server(usize::MAX).await;
    let err = get_user(&default_client(&base), "acc", "u1")
        .max_retries(6)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE), "{err:?}");
    assert_backoffs(&gaps(&arrivals), &[0.5, 1.0, 2.0, 4.0, 8.0, 8.0]);
}

/// Both documented 60 s bounds, measured side by side on tokio's paused clock (real sockets,
/// virtual minutes): an attempt the server never answers times out after 60 s, and a
/// `Retry-After` of an hour is cut to 60 s.
#[tokio::test(start_paused = true)]
async fn default_timeout_and_retry_after_cap_are_sixty_seconds() {
    let silent = Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        json_response(StatusCode::OK, envelope(user_json("late")))
    });
    let silent = serve(silent).await;
    let (patient, hits) = counting_server(|n| {
        if n == 1 {
            let mut r = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"success": false, "errors": [{"code": 971, "message": "come back in an hour"}], "messages": [], "result": null}),
            );
            r.headers_mut().insert("retry-after", "3600".parse().unwrap());
            r
        } else {
            json_response(StatusCode::OK, envelope(user_json("u1")))
        }
    })
    .await;
    let timed = |base: String, retries: u32| async move {
        let client = default_client(&base);
        let started = Instant::now();
        let outcome = get_user(&client, "acc", "u1").max_retries(retries).await;
        (outcome, started.elapsed())
    };
    let ((timed_out, waited), (answered, delayed)) = tokio::join!(timed(silent, 0), timed(patient, 1));

    let err = timed_out.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        waited >= Duration::from_secs(60) && waited < Duration::from_secs(65),
        "timed out after {waited:?}, expected 60 s"
    );
    assert_eq!(answered.unwrap().id, "u1");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(
        delayed >= Duration::from_secs(60) && delayed < Duration::from_secs(65),
        "retried after {delayed:?}, expected the 60 s cap"
    );
}

/// Listener that closes the first `drop_first` connections after reading the
/// request, without answering.
struct DropFirst {
    inner: tokio::net::TcpListener,
    remaining: usize,
    dropped: Arc<AtomicUsize>,
}

impl axum::serve::Listener for DropFirst {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                continue;
            };
            if self.remaining == 0 {
                return (stream, addr);
            }
            self.remaining -= 1;
            // Wait until the request has arrived, then hang up.
            let mut buf = [0u8; 8192];
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                loop {
                    if stream.readable().await.is_err() {
                        break;
                    }
                    match stream.try_read(&mut buf) {
                        Ok(_) => break,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(_) => break,
                    }
                }
            })
            .await;
            drop(stream);
            self.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

async fn dropping_server(drop_first: usize) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let inner = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = inner.local_addr().unwrap();
    let dropped = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let app = Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { json_response(StatusCode::OK, envelope(user_json("u1"))) }
    });
    let listener = DropFirst {
        inner,
        remaining: drop_first,
        dropped: dropped.clone(),
    };
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), dropped, served)
}

#[tokio::test]
async fn dropped_connection_is_retried() {
    let (base, dropped, served) = dropping_server(1).await;
    let user = get_user(&client(&base), "acc", "u1").await.unwrap();
    assert_eq!(user.id, "u1");
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    assert_eq!(served.load(Ordering::SeqCst), 1);

    // Without retries the same fault surfaces as a transport error.
    let (base, dropped, served) = dropping_server(1).await;
    let err = get_user(&client(&base), "acc", "u1")
        .max_retries(0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        (
            dropped.load(Ordering::SeqCst),
            served.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
}

#[tokio::test]
async fn slow_response_hits_per_request_timeout() {
    let (base, hits) =
        counting_server(|_| json_response(StatusCode::OK, envelope(user_json("u1")))).await;
    // Wrap the fast server with a slow route.
    let slow = Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(10)).await;
        json_response(StatusCode::OK, envelope(user_json("slow")))
    });
    let slow_base = serve(slow).await;
    let client = client(&slow_base);
    let started = Instant::now();
    let err = get_user(&client, "acc", "u1")
        .timeout(Duration::from_millis(200))
        .max_retries(1)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_timeout());
    // Two attempts of 200 ms plus a short backoff, far below the 10 s handler.
    assert!(elapsed < Duration::from_secs(5), "elapsed {elapsed:?}");
    assert!(elapsed >= Duration::from_millis(400), "elapsed {elapsed:?}");

    // The client default still applies when not overridden.
    let quick = Client::builder()
        .base_url(&base)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    get_user(&quick, "acc", "u1").await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn malformed_json_reports_the_failing_field() {
    let (base, _) = counting_server(|n| {
        let body = if n == 1 {
            r#"{"success":true,"errors":[],"messages":[],"result":{"id":"u1","email":tru}}"#
        } else {
            r#"{"success":true,"errors":[],"messages":[],"result":[{"id":"a","email":"a@x"},{"id":"b","email":42}]}"#
        };
        (StatusCode::OK, [("content-type", "application/json")], body).into_response()
    })
    .await;
    let client = client(&base);

    let err = get_user(&client, "acc", "u1").await.unwrap_err();
    match &err {
        Error::Decode {
            path,
            snippet,
            body,
            ..
        } => {
            assert_eq!(path, "result.email");
            assert!(snippet.contains("tru"), "{snippet}");
            assert!(body.starts_with(b"{\"success\":true"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(err.to_string().contains("result.email"), "{err}");

    let list: Request<'_, Vec<User>> = Request::new(
        &client,
        Method::GET,
        "/accounts/{account_id}/access/users",
        "/accounts/acc/access/users".into(),
    );
    match list.await.unwrap_err() {
        Error::Decode { path, snippet, .. } => {
            assert_eq!(path, "result[1].email");
            assert!(snippet.contains("42"), "{snippet}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn api_error_keeps_every_code_and_the_raw_body() {
    let raw = r#"{"success":false,"errors":[{"code":10001,"message":"email is invalid","source":{"pointer":"/email"}},{"code":10002,"message":"name too long","documentation_url":"https://developers.cloudflare.com/api"}],"messages":[{"code":1,"message":"see docs"}],"result":null}"#;
    let (base, hits) = counting_server(move |_| {
        (
            StatusCode::BAD_REQUEST,
            [
                ("content-type", "application/json"),
                ("cf-ray", "8abc123-LHR"),
            ],
            raw,
        )
            .into_response()
    })
    .await;
    let err = get_user(&client(&base), "acc", "u1").await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 1, "400 must not be retried");
    assert!(err.is_bad_request());
    assert_eq!(err.status_class(), Some(StatusClass::BadRequest));
    assert_eq!(err.body().unwrap().as_ref(), raw.as_bytes());
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.status().as_u16(), 400);
    // The re-exported reqwest names the types of the crate's API.
    let status: cloudflare_access_users::reqwest::StatusCode = api.status();
    assert_eq!(status, cloudflare_access_users::reqwest::StatusCode::BAD_REQUEST);
    let codes: Vec<i64> = api.errors().iter().map(|e| e.code).collect();
    assert_eq!(codes, [10001, 10002]);
    assert_eq!(
        api.errors()[0]
            .source
            .as_ref()
            .and_then(|s| s.pointer.as_deref()),
        Some("/email")
    );
    assert_eq!(
        api.errors()[1].documentation_url.as_deref(),
        Some("https://developers.cloudflare.com/api")
    );
    assert_eq!(api.messages()[0].message, "see docs");
    assert!(api.has_code(10002));
    assert_eq!(api.ray_id(), Some("8abc123-LHR"));
    assert_eq!(api.request_id(), Some("8abc123-LHR"));
    assert_eq!(api.body().as_ref(), raw.as_bytes());
    let shown = err.to_string();
    assert!(shown.starts_with("Cloudflare API error (400 Bad Request): "), "{shown}");
    assert!(shown.ends_with(" (cf-ray 8abc123-LHR)"), "{shown}");
    assert!(
        shown.contains("10001") && shown.contains("10002") && shown.contains("8abc123-LHR"),
        "{shown}"
    );
}

#[tokio::test]
async fn x_should_retry_header_overrides_status_rules() {
    let (base, hits) = counting_server(|_| {
        let mut r = json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"success": false, "errors": [], "result": null}),
        );
        r.headers_mut()
            .insert("x-should-retry", "false".parse().unwrap());
        r
    })
    .await;
    let err = get_user(&client(&base), "acc", "u1").await.unwrap_err();
    assert_eq!(
        err.status(),
        Some(reqwest::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    let (base, hits) = counting_server(|n| {
        if n == 1 {
            let mut r = json_response(
                StatusCode::BAD_REQUEST,
                json!({"success": false, "errors": [], "result": null}),
            );
            r.headers_mut()
                .insert("x-should-retry", "true".parse().unwrap());
            r
        } else {
            json_response(StatusCode::OK, envelope(user_json("u1")))
        }
    })
    .await;
    get_user(&client(&base), "acc", "u1").await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

/// (content-type, body) of each request received.
type Bodies = Arc<Mutex<Vec<(Option<String>, Bytes)>>>;

#[tokio::test]
async fn json_body_is_sent_again_on_retry() {
    let seen: Bodies = Arc::default();
    let app = Router::new().fallback(
        |State(seen): State<Bodies>, headers: HeaderMap, body: Bytes| async move {
            let ct = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let n = {
                let mut seen = seen.lock().unwrap();
                seen.push((ct, body));
                seen.len()
            };
            // 429, not 5xx: a POST without an idempotency key is only
            // retried when the server cannot have acted on it.
            if n == 1 {
                json_response(StatusCode::TOO_MANY_REQUESTS, json!({}))
            } else {
                json_response(StatusCode::CREATED, envelope(user_json("new")))
            }
        },
    );
    let base = serve(app.with_state(seen.clone())).await;
    let client = client(&base);
    let user: User = Request::new(
        &client,
        Method::POST,
        "/accounts/{account_id}/access/users",
        format!("/accounts/{}/access/users", encode_path("acc")),
    )
    .json(&json!({"email": "new@example.com", "name": "New"}))
    .await
    .unwrap();
    assert_eq!(user.id, "new");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    for (ct, body) in seen.iter() {
        assert_eq!(ct.as_deref(), Some("application/json"));
        let v: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v, json!({"email": "new@example.com", "name": "New"}));
    }
}

/// Server answering with the request headers it received.
async fn echo_headers_server() -> String {
    let app = Router::new().fallback(|headers: HeaderMap| async move {
        let map: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or(""))))
            .collect();
        json_response(StatusCode::OK, envelope(Value::Object(map)))
    });
    serve(app).await
}

#[tokio::test]
async fn auth_headers_for_token_and_for_email_and_key() {
    let base = echo_headers_server().await;
    let call = |client: Client| async move {
        let req: Request<'_, Value> = Request::new(&client, Method::GET, "/user", "/user".into());
        req.await.unwrap()
    };

    let token = call(
        Client::builder()
            .api_token("tok-123")
            .base_url(&base)
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(token["authorization"], "Bearer tok-123");
    assert!(token.get("x-auth-key").is_none() && token.get("x-auth-email").is_none());
    assert_eq!(token["accept"], "application/json");
    // The default user agent names the crate and its version.
    assert_eq!(
        token["user-agent"],
        concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))
    );

    let key = call(
        Client::builder()
            .api_key("me@example.com", "global-key-xyz")
            .base_url(&base)
            .default_header("x-extra", "1")
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(key["x-auth-email"], "me@example.com");
    assert_eq!(key["x-auth-key"], "global-key-xyz");
    assert_eq!(key["x-extra"], "1");
    assert!(key.get("authorization").is_none());
}

/// A `Write` sink for tracing output shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_never_appear_in_debug_errors_or_traces() {
    const TOKEN: &str = "SECRET-TOKEN-a1b2c3";
    const KEY: &str = "SECRET-KEY-d4e5f6";
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (base, _) = counting_server(|n| {
        if n == 1 {
            json_response(StatusCode::SERVICE_UNAVAILABLE, json!({}))
        } else {
            json_response(
                StatusCode::UNAUTHORIZED,
                json!({"success": false, "errors": [{"code": 10000, "message": "Authentication error"}], "messages": [], "result": null}),
            )
        }
    })
    .await;
    let builder = Client::builder()
        .api_token(TOKEN)
        .base_url(&base)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20));
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let key_client = Client::builder()
        .api_key("me@example.com", KEY)
        .base_url(&base)
        .build()
        .unwrap();

    let err = get_user(&client, "acc", "u1")
        .header("x-custom", "visible")
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    let bad_header = get_user(&client, "acc", "u1")
        .header("x-secret", "SECRET-VALUE\n")
        .await
        .unwrap_err();
    assert!(matches!(bad_header, Error::Config(_)));
    let cfg = Client::builder()
        .api_token(format!("{TOKEN}\nmore"))
        .build()
        .unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The tracing span carries the operation, attempt and status.
    assert!(logs.contains("request{"), "{logs}");
    assert!(
        logs.contains(r#"path="/accounts/{account_id}/access/users/{user_id}""#),
        "{logs}"
    );
    assert!(
        logs.contains("attempt=2") && logs.contains("status=401"),
        "{logs}"
    );

    for text in [
        format!("{client:?}"),
        format!("{key_client:?}"),
        builder_debug,
        format!("{err} {err:?}"),
        format!("{bad_header} {bad_header:?}"),
        format!("{cfg} {cfg:?}"),
        logs,
    ] {
        assert!(!text.contains("SECRET"), "secret leaked: {text}");
    }
    assert!(format!("{client:?}").contains("redacted"));
}

#[tokio::test]
async fn path_segments_are_percent_encoded() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let app = Router::new().fallback(move |uri: Uri| {
        record.lock().unwrap().push(uri.to_string());
        async { json_response(StatusCode::OK, envelope(user_json("u1"))) }
    });
    let base = serve(app).await;
    let client = client(&base);

    get_user(&client, "acc/one", "a b?c#d%e").await.unwrap();
    let req: Request<'_, Value> = Request::new(
        &client,
        Method::GET,
        "/accounts/{account_id}/access/users",
        format!("/accounts/{}/access/users", encode_path("acc")),
    );
    req.query("name", "Jane Doe&co")
        .query_each("ids", ["x", "y"])
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "/accounts/acc%2Fone/access/users/a%20b%3Fc%23d%25e",
            "/accounts/acc/access/users?name=Jane+Doe%26co&ids=x&ids=y",
        ]
    );

    // Parameters that would change the URL's shape are refused before sending.
    for bad in ["", "..", "."] {
        let err = get_user(&client, "acc", bad).await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{bad:?}: {err:?}");
    }
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn response_metadata_null_results_and_raw_bodies() {
    let (base, _) = counting_server(|n| match n {
        1 => {
            let mut r = json_response(
                StatusCode::OK,
                json!({"success": true, "errors": [], "messages": [{"code": 7, "message": "note"}],
                       "result": user_json("u1"), "result_info": {"page": 1.0, "total_count": 1}, "extra": true}),
            );
            r.headers_mut().insert("cf-ray", "ray-1".parse().unwrap());
            r
        }
        2 => json_response(StatusCode::OK, json!({"success": true, "errors": [], "messages": [], "result": null})),
        3 => json_response(StatusCode::OK, json!({"id": "plain", "email": "p@x"})),
        _ => json_response(StatusCode::OK, json!({"success": false, "errors": [{"code": 5, "message": "nope"}], "result": null})),
    })
    .await;
    let client = client(&base);

    let resp = get_user(&client, "acc", "u1")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["cf-ray"], "ray-1");
    assert_eq!(resp.messages()[0].code, 7);
    assert_eq!(resp.result_info().unwrap().page, Some(1));
    assert_eq!(resp.email, "u1@example.com"); // Deref to the result
    assert_eq!(resp.into_inner().id, "u1");

    let maybe: Request<'_, Option<User>> = Request::new(
        &client,
        Method::GET,
        USER_TEMPLATE,
        "/accounts/a/access/users/b".into(),
    );
    assert_eq!(maybe.await.unwrap(), None);

    let plain = get_user(&client, "acc", "u1")
        .without_envelope()
        .await
        .unwrap();
    assert_eq!(plain.id, "plain");

    let err = get_user(&client, "acc", "u1").await.unwrap_err();
    assert!(err.api_error().is_some_and(|a| a.has_code(5)), "{err:?}");
}

#[tokio::test]
async fn futures_are_static_and_spawnable() {
    let (base, _) =
        counting_server(|_| json_response(StatusCode::OK, envelope(user_json("u1")))).await;
    let client = client(&base);
    let handle = tokio::spawn(get_user(&client, "acc", "u1").send());
    drop(client);
    assert_eq!(handle.await.unwrap().unwrap().id, "u1");
}

/// `errors` and `messages` entries a document declares nullable (and a mock fills with `null`)
/// are skipped, in success and error bodies alike, instead of failing the decode.
#[tokio::test]
async fn null_errors_and_messages_entries_are_skipped() {
    let (base, _) = counting_server(|n| match n {
        1 => json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [null], "messages": [null, {"code": 7, "message": "note"}], "result": user_json("u1")}),
        ),
        _ => json_response(
            StatusCode::BAD_REQUEST,
            json!({"success": false, "errors": [null, {"code": 9, "message": "bad"}], "messages": [null], "result": null}),
        ),
    })
    .await;
    let client = client(&base);
    let resp = get_user(&client, "acc", "u1").send_with_response().await.unwrap();
    assert_eq!(resp.messages().len(), 1);
    assert_eq!(resp.messages()[0].code, 7);
    assert_eq!(resp.into_inner().id, "u1");

    let err = get_user(&client, "acc", "u1").max_retries(0).await.unwrap_err();
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert_eq!(api.errors().len(), 1, "{:?}", api.errors());
    assert_eq!(api.errors()[0].code, 9);
    assert!(api.messages().is_empty());
}
