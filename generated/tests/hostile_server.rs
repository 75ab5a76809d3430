//! The client against servers that try to harm it: redirects that would carry
//! the credentials to another origin, endless bodies, retries that would
//! repeat a create, and error text meant to forge log lines. Every server is
//! in process on 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use cloudflare_access_users::{Client, Error, Request};
use reqwest::Method;
use serde_json::{json, Value};

/// Serve `app` on an ephemeral loopback port; returns the base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A server whose handler gets the 1-based attempt number and the request
/// headers; returns the base URL and the number of requests it saw.
async fn counting_server<F>(respond: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(usize, &HeaderMap) -> Response + Clone + Send + Sync + 'static,
{
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move |headers: HeaderMap| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        let respond = respond.clone();
        async move { respond(n, &headers) }
    });
    (serve(app).await, hits)
}

fn get_value(client: &Client) -> Request<'_, Value> {
    Request::new(client, Method::GET, "/things", "/things".into())
}

/// `POST /things`, as generated code builds a create call.
fn create(client: &Client) -> Request<'_, Value> {
    Request::new(client, Method::POST, "/things", "/things".into()).json(&json!({"name": "x"}))
}

fn fast_retries(
    builder: cloudflare_access_users::ClientBuilder,
) -> cloudflare_access_users::ClientBuilder {
    builder.retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
}

// ---------------------------------------------------------------------------
// Credentials stay on the base URL's origin.
// ---------------------------------------------------------------------------

const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "x-auth-key", "x-auth-email"];

/// Server B records the credential headers it receives; server A (the base
/// URL) redirects every request to B, which is another origin (other port).
async fn redirect_to_recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let b = serve(Router::new().fallback(move |headers: HeaderMap| {
        for name in CREDENTIAL_HEADERS {
            if let Some(v) = headers.get(name) {
                record
                    .lock()
                    .unwrap()
                    .push(format!("{name}: {}", v.to_str().unwrap_or("?")));
            }
        }
        async { json_response(StatusCode::OK, envelope(json!({"stolen": true}))) }
    }))
    .await;
    let a = serve(Router::new().fallback(move || {
        let location = format!("{b}/collect");
        async move { (StatusCode::FOUND, [("location", location)], "moved").into_response() }
    }))
    .await;
    (a, seen)
}

#[tokio::test]
async fn custom_http_client_never_sends_credentials_to_another_origin() {
    let (a, seen) = redirect_to_recorder().await;
    let by_token = Client::builder()
        .api_token("SECRET-TOKEN")
        .base_url(&a)
        // The README's example of an HTTP client of one's own, asking for
        // redirects to be followed: the client must switch them off.
        .http_client_builder(
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10)),
        )
        .build()
        .unwrap();
    let by_key = Client::builder()
        .api_key("me@example.com", "SECRET-KEY")
        .base_url(&a)
        .http_client_builder(reqwest::Client::builder())
        .build()
        .unwrap();
    let outcomes = [get_value(&by_token).await, get_value(&by_key).await];
    let seen = seen.lock().unwrap().clone();
    assert!(seen.is_empty(), "the other origin received {seen:?}");
    for outcome in outcomes {
        let err = outcome.expect_err("a redirect is not followed");
        assert_eq!(err.status(), Some(reqwest::StatusCode::FOUND), "{err:?}");
        let location = err.api_error().unwrap().headers().get("location").unwrap();
        assert!(
            location.to_str().unwrap().ends_with("/collect"),
            "{location:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Response size.
// ---------------------------------------------------------------------------

/// Write all of `buf`; `false` once the peer has gone.
async fn write_all(stream: &tokio::net::TcpStream, mut buf: &[u8]) -> bool {
    while !buf.is_empty() {
        if stream.writable().await.is_err() {
            return false;
        }
        match stream.try_write(buf) {
            Ok(0) => return false,
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return false,
        }
    }
    true
}

/// Read until the end of the request head (the tests send small bodies that
/// arrive with it).
async fn read_head(stream: &tokio::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        if stream.readable().await.is_err() {
            return;
        }
        match stream.try_read(&mut buf) {
            Ok(0) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        }
    }
}

/// A hand-written HTTP/1.1 server: for each connection it reads the request
/// head and then writes `head` followed by `body_bytes` bytes of `{` (chunked
/// when `head` says so; `u64::MAX` means until the client hangs up). Returns
/// the base URL and the number of body bytes written.
async fn streaming_server(head: &'static str, body_bytes: u64) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                read_head(&stream).await;
                if !write_all(&stream, head.as_bytes()).await {
                    return;
                }
                let chunked = head.contains("chunked");
                let payload = vec![b'['; 64 * 1024];
                let framed = [
                    format!("{:x}\r\n", payload.len()).into_bytes(),
                    payload.clone(),
                    b"\r\n".to_vec(),
                ]
                .concat();
                let mut left = body_bytes;
                while left > 0 {
                    let n = left.min(payload.len() as u64);
                    let ok = if chunked && n == payload.len() as u64 {
                        write_all(&stream, &framed).await
                    } else if chunked {
                        let last = [
                            format!("{n:x}\r\n").into_bytes(),
                            payload[..n as usize].to_vec(),
                            b"\r\n".to_vec(),
                        ]
                        .concat();
                        write_all(&stream, &last).await
                    } else {
                        write_all(&stream, &payload[..n as usize]).await
                    };
                    if !ok {
                        return;
                    }
                    counter.fetch_add(n as usize, Ordering::Relaxed);
                    left -= n;
                }
                if chunked {
                    write_all(&stream, b"0\r\n\r\n").await;
                }
            });
        }
    });
    (base, written)
}

const MIB: u64 = 1024 * 1024;

/// Peak resident memory of this process since the last [`reset_peak_rss`], in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024
}

/// Reset the peak (`VmHWM`) to the current resident size.
fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

const CHUNKED_200: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";

/// One test for both measurements, so that no other large body shares the
/// process's peak memory figure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_end_in_an_error_and_memory_stays_bounded() {
    // A body five times the default limit of 64 MiB, without Content-Length.
    let (base, written) = streaming_server(CHUNKED_200, 5 * 64 * MIB).await;
    let client = Client::builder().base_url(&base).build().unwrap();
    reset_peak_rss();
    let before = peak_rss_mib();
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(60), get_value(&client)).await;
    let (elapsed, grown) = (started.elapsed(), peak_rss_mib() - before);
    let sent = written.load(Ordering::Relaxed) as u64 / MIB;
    eprintln!("default limit: {elapsed:?}, peak RSS +{grown} MiB, server wrote {sent} MiB");
    let err = outcome
        .expect("no answer within 60 s")
        .expect_err("the body is too large");
    let text = err.to_string();
    assert!(text.contains("64 MiB"), "the error names the limit: {text}");
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, status } if limit == 64 * MIB && status == 200),
        "{err:?}"
    );
    assert!(grown < 64 + 40, "peak RSS grew by {grown} MiB");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");

    // An endless body against a limit of 8 MiB set on the builder.
    let (base, written) = streaming_server(CHUNKED_200, u64::MAX).await;
    let client = Client::builder()
        .base_url(&base)
        .max_response_bytes(8 * MIB)
        .build()
        .unwrap();
    reset_peak_rss();
    let before = peak_rss_mib();
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(60), get_value(&client)).await;
    let (elapsed, grown) = (started.elapsed(), peak_rss_mib() - before);
    let err = outcome
        .expect("no answer within 60 s")
        .expect_err("the body is endless");
    // Give the server a moment to notice the hang-up, then see it stopped.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = written.load(Ordering::Relaxed) as u64;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent_later = written.load(Ordering::Relaxed) as u64;
    eprintln!(
        "8 MiB limit, endless body: {elapsed:?}, peak RSS +{grown} MiB, server wrote {} MiB",
        sent / MIB
    );
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == 8 * MIB),
        "{err:?}"
    );
    assert!(err.to_string().contains("8 MiB"), "{err}");
    assert!(grown < 8 * 3, "peak RSS grew by {grown} MiB");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert_eq!(sent, sent_later, "the connection was not closed");

    // The same limit per request, on a client with the default.
    let client = Client::builder().base_url(&base).build().unwrap();
    let err = get_value(&client)
        .max_response_bytes(MIB)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == MIB),
        "{err:?}"
    );
}

#[tokio::test]
async fn declared_length_over_the_limit_fails_before_reading() {
    // Announces 8 GiB, then sends 1 MiB and waits.
    let (base, _) = streaming_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8589934592\r\n\r\n",
        MIB,
    )
    .await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let started = Instant::now();
    let err = get_value(&client).await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_raised_limit_reserves_memory_for_what_arrives_not_what_is_announced() {
    // Announces 1 TiB, within a limit raised to match, sends 1 MiB and hangs up: the
    // buffer was reserved for the announced length, and the allocation aborted the process.
    let (base, _) = streaming_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1099511627776\r\n\r\n",
        MIB,
    )
    .await;
    let client = Client::builder()
        .base_url(&base)
        .max_response_bytes(1 << 40)
        .max_retries(0)
        .build()
        .unwrap();
    let err = get_value(&client).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn error_bodies_are_capped_at_one_mebibyte() {
    let (base, _) = streaming_server(
        "HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n",
        2 * MIB,
    )
    .await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let err = get_value(&client).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, status } if limit == MIB && status == 400),
        "{err:?}"
    );
    // A retryable status is still retried: the body's size does not matter.
    let (base, written) = streaming_server(
        "HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n",
        2 * MIB,
    )
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    let err = get_value(&client).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { status, .. } if status == 503),
        "{err:?}"
    );
    assert!(
        written.load(Ordering::Relaxed) as u64 >= 3 * MIB,
        "three attempts"
    );
}

// ---------------------------------------------------------------------------
// Retries of requests that are not idempotent.
// ---------------------------------------------------------------------------

/// A server that reads each request and hangs up without answering; returns
/// the base URL and the number of requests it read.
async fn hangup_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            read_head(&stream).await;
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (base, hits)
}

// The handler sleeps on its worker thread; the client runs on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_that_times_out_is_not_retried() {
    let (base, hits) = counting_server(|_, _| {
        std::thread::sleep(Duration::from_millis(600));
        json_response(StatusCode::OK, envelope(json!({"id": "u1"})))
    })
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    let err = create(&client)
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // Let a retry, if one was sent, reach the server.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a timed-out POST was sent again"
    );
}

#[tokio::test]
async fn post_whose_connection_is_reset_is_not_retried() {
    let (base, hits) = hangup_server().await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a POST cut off mid-way was sent again"
    );
}

#[tokio::test]
async fn post_answered_409_is_not_retried() {
    let (base, hits) = counting_server(|_, _| {
        json_response(
            StatusCode::CONFLICT,
            json!({"success": false, "errors": [{"code": 1, "message": "exists"}], "messages": [], "result": null}),
        )
    })
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a POST answered 409 was sent again"
    );
}

#[tokio::test]
async fn post_rate_limited_with_429_is_retried() {
    let (base, hits) = counting_server(|n, _| {
        if n == 1 {
            let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, json!({}));
            r.headers_mut().insert("retry-after", "0".parse().unwrap());
            r
        } else {
            json_response(StatusCode::OK, envelope(json!({"id": "u1"})))
        }
    })
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    create(&client).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

/// A server recording the idempotency key of each request; answers with
/// `respond(attempt)`.
async fn key_recorder<F>(respond: F) -> (String, Arc<Mutex<Vec<Option<String>>>>)
where
    F: Fn(usize) -> Response + Clone + Send + Sync + 'static,
{
    let keys: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let record = keys.clone();
    let (base, _) = counting_server(move |n, headers| {
        let key = headers
            .get("idempotency-key")
            .map(|v| v.to_str().unwrap().to_owned());
        record.lock().unwrap().push(key);
        respond(n)
    })
    .await;
    (base, keys)
}

// The handler sleeps on its worker thread; the client runs on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyed_post_is_retried_with_one_key_per_call() {
    let (base, keys) = key_recorder(|n| {
        if n <= 2 {
            std::thread::sleep(Duration::from_millis(400));
        }
        json_response(StatusCode::OK, envelope(json!({"id": "u1"})))
    })
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .idempotency_header("Idempotency-Key")
        .build()
        .unwrap();
    create(&client)
        .timeout(Duration::from_millis(150))
        .await
        .unwrap();
    create(&client).await.unwrap();
    let keys = keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 4, "{keys:?}");
    let first = keys[0].clone().expect("a key on the first attempt");
    assert_eq!(first.len(), 36, "{first}");
    assert!(
        keys[..3].iter().all(|k| k.as_deref() == Some(&first)),
        "{keys:?}"
    );
    assert!(
        keys[3].is_some() && keys[3] != keys[0],
        "a new call has a new key: {keys:?}"
    );

    // The caller's own key is sent as is; GET carries none.
    let (base, keys) = key_recorder(|_| json_response(StatusCode::OK, envelope(json!({})))).await;
    let client = Client::builder()
        .base_url(&base)
        .idempotency_header("Idempotency-Key")
        .build()
        .unwrap();
    create(&client)
        .header("idempotency-key", "mine-1")
        .await
        .unwrap();
    get_value(&client).await.unwrap();
    assert_eq!(*keys.lock().unwrap(), [Some("mine-1".to_owned()), None]);
}

#[tokio::test]
async fn keyed_post_answered_409_is_not_retried() {
    let (base, keys) = key_recorder(|_| {
        let mut r = json_response(StatusCode::CONFLICT, json!({}));
        r.headers_mut()
            .insert("x-should-retry", "true".parse().unwrap());
        r
    })
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .idempotency_header("Idempotency-Key")
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(keys.lock().unwrap().len(), 1);
}

// The handler sleeps on its worker thread; the client runs on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_is_still_retried_after_a_timeout_and_a_reset() {
    let (base, hits) = counting_server(|n, _| {
        if n == 1 {
            std::thread::sleep(Duration::from_millis(600));
        }
        json_response(StatusCode::OK, envelope(json!({"id": "u1"})))
    })
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    get_value(&client)
        .timeout(Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    let (base, hits) = hangup_server().await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    get_value(&client).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

// ---------------------------------------------------------------------------
// Error text and debug output.
// ---------------------------------------------------------------------------

/// Characters that let a server rewrite a terminal or forge a log line.
const HOSTILE: [char; 7] = ['\x1b', '\r', '\n', '\x07', '\u{202e}', '\u{2066}', '\0'];

fn assert_tame(text: &str) {
    for c in HOSTILE {
        assert!(!text.contains(c), "{c:?} in {text:?}");
    }
}

#[tokio::test]
async fn api_error_text_escapes_control_characters_and_is_bounded() {
    let forged =
        "\x1b[2J\x1b[31mboom\r\n2024-01-01T00:00:00Z INFO login ok user=admin\x07\u{202e}gnp.exe\0";
    let body = format!("{forged}{}", "A".repeat(100_000));
    let raw = body.clone();
    let message = forged.to_owned();
    let (base, _) = counting_server(move |n, _| match n {
        1 => (StatusCode::BAD_REQUEST, raw.clone()).into_response(),
        _ => json_response(
            StatusCode::BAD_REQUEST,
            json!({"success": false, "errors": [{"code": 7, "message": message}], "messages": [], "result": null}),
        ),
    })
    .await;
    let client = Client::builder().base_url(&base).build().unwrap();

    let err = get_value(&client).await.unwrap_err();
    let (shown, debug) = (err.to_string(), format!("{err:?}"));
    assert_tame(&shown);
    assert_tame(&debug);
    assert!(shown.contains("\\u{1b}[31mboom\\r\\n2024"), "{shown}");
    assert!(shown.len() < 1000, "Display is {} bytes", shown.len());
    assert!(debug.len() < 4000, "Debug is {} bytes", debug.len());
    // The whole body is still there for whoever needs it.
    assert_eq!(err.body().unwrap().as_ref(), body.as_bytes());

    let err = get_value(&client).await.unwrap_err();
    let shown = err.to_string();
    assert_tame(&shown);
    assert!(
        shown.starts_with("Cloudflare API error (400 Bad Request): [7] "),
        "{shown}"
    );
    assert_eq!(err.api_error().unwrap().errors()[0].message, forged);
}

#[tokio::test]
async fn decode_error_debug_does_not_dump_the_body() {
    let big = format!(
        "{{\"success\":true,\"result\":\"\\u001b[31m{}\"}}",
        "x".repeat(1_000_000)
    );
    let len = big.len();
    let (base, _) = counting_server(move |_, _| {
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            big.clone(),
        )
            .into_response()
    })
    .await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let err = Request::<'_, u32>::new(&client, Method::GET, "/n", "/n".into())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let (shown, debug) = (err.to_string(), format!("{err:?}"));
    assert_tame(&shown);
    assert_tame(&debug);
    assert!(debug.len() < 4000, "Debug is {} bytes", debug.len());
    assert!(debug.contains(&format!("<{len} bytes>")), "{debug}");
    assert_eq!(err.body().unwrap().len(), len);
}

#[tokio::test]
async fn userinfo_and_secret_default_headers_are_redacted() {
    // A port nobody listens on: the transport error carries the URL.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let builder = Client::builder()
        .base_url(format!("http://admin:hunter2-SECRET@127.0.0.1:{port}/v4"))
        .default_header("x-api-key", "SECRET-1")
        .default_header("cookie", "session=SECRET-2")
        .default_header("x-session-token", "SECRET-3")
        .default_header("x-request-source", "billing-job")
        .sensitive_header("x-tenant", "SECRET-5")
        .max_retries(0);
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let req = get_value(&client).header("x-client-secret", "SECRET-4");
    let req_debug = format!("{req:?}");
    let err = req.await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let bad = Client::builder()
        .base_url("http://admin:hunter2-SECRET@exa mple.com")
        .build()
        .unwrap_err();

    let client_debug = format!("{client:?}");
    for text in [
        builder_debug,
        client_debug.clone(),
        req_debug,
        format!("{err} {err:?}"),
        format!("{bad} {bad:?}"),
    ] {
        assert!(!text.contains("SECRET"), "secret shown: {text}");
    }
    assert!(client_debug.contains("billing-job"), "{client_debug}");
    assert!(client_debug.contains("redacted"), "{client_debug}");
    assert!(
        client_debug.contains("http://<redacted>@127.0.0.1"),
        "{client_debug}"
    );
}

/// Every error of the chain (`Display` of the error and of each `source()`),
/// as an error reporter such as anyhow's `{:?}` prints it.
fn chain(err: &Error) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut next = std::error::Error::source(err);
    while let Some(e) = next {
        out.push(e.to_string());
        next = e.source();
    }
    out
}

#[tokio::test]
async fn decode_error_source_chain_is_escaped_and_bounded() {
    /// A caller's own type: serde quotes an unknown variant verbatim.
    #[derive(serde::Deserialize, Debug)]
    enum Kind {
        Plain,
        Fancy,
    }
    let forged = "\u{1b}[2J\u{1b}[31mowned\r\nINFO login ok\u{202e}\u{7}";
    let huge = "y".repeat(2 * MIB as usize);
    let (base, _) = counting_server(move |n, _| {
        let body = match n {
            1 => envelope(json!(forged)),
            _ => json!({"success": huge}),
        };
        json_response(StatusCode::OK, body)
    })
    .await;
    let client = Client::builder().base_url(&base).build().unwrap();
    for what in ["unknown variant", "2 MiB string"] {
        let err = Request::<'_, Kind>::new(&client, Method::GET, "/k", "/k".into())
            .await
            .unwrap_err();
        let Error::Decode { ref path, .. } = err else {
            panic!("{what}: {err:?}");
        };
        assert!(!path.is_empty() || what == "2 MiB string", "{what}: {err:?}");
        let texts = chain(&err);
        assert!(texts.len() >= 2, "{what}: the decode error has a source");
        for text in &texts {
            assert_tame(text);
            assert!(text.len() < 1000, "{what}: {} bytes in the chain", text.len());
        }
        // The position survives.
        assert!(texts[1].contains("line 1 column"), "{what}: {}", texts[1]);
    }
}

#[tokio::test]
async fn config_errors_and_debug_never_show_userinfo_or_query() {
    for url in [
        "https://u:pa/ss-SECRET@api.example",
        "https://u:p#ss-SECRET@api.example",
        "https://u:p?ss-SECRET@api.example",
        "https://api.example/v4?token=SECRET",
        "https://TOKEN-SECRET@api.example/v4",
        "https://u:SECRET@exa mple.com",
        "ftp://u:SECRET@api.example",
    ] {
        let builder = Client::builder().base_url(url);
        let builder_debug = format!("{builder:?}");
        let shown = match builder.build() {
            Ok(client) => format!("{client:?}"),
            Err(err) => format!("{err} {err:?}"),
        };
        let deferred = format!(
            "{:?}",
            Client::builder().base_url(url).build().map(|_| ()).err()
        );
        for text in [builder_debug, shown, deferred] {
            assert!(!text.contains("SECRET"), "{url}: {text}");
            assert!(!text.contains("u:p"), "{url}: {text}");
        }
    }
    // What is certainly not secret stays, so the error is still useful.
    let err = Client::builder()
        .base_url("https://api.example/v4?token=SECRET")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("https://api.example/v4"), "{err}");
}

#[tokio::test]
async fn unkeyed_post_is_not_retried_when_the_server_insists() {
    let (base, hits) = counting_server(|_, _| {
        let mut r = json_response(StatusCode::INTERNAL_SERVER_ERROR, json!({}));
        r.headers_mut()
            .insert("x-should-retry", "true".parse().unwrap());
        r
    })
    .await;
    let client = fast_retries(Client::builder().base_url(&base))
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(err.is_server_error(), "{err:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "`x-should-retry: true` made an unkeyed POST be sent again"
    );
    // A GET still follows the header.
    get_value(&client).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn retries_of_a_custom_http_client_are_switched_off() {
    let (base, hits) = counting_server(|_, _| {
        json_response(StatusCode::INTERNAL_SERVER_ERROR, json!({}))
    })
    .await;
    // An HTTP client of one's own that retries every 5xx, POST included.
    let http = reqwest::Client::builder().retry(
        reqwest::retry::for_host("127.0.0.1")
            .max_retries_per_request(3)
            .classify_fn(|rr| match rr.status() {
                Some(s) if s.is_server_error() => rr.retryable(),
                _ => rr.success(),
            }),
    );
    let client = Client::builder()
        .base_url(&base)
        .http_client_builder(http)
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(err.is_server_error(), "{err:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the HTTP client sent the POST again by itself"
    );
}

/// Characters that are invisible when printed: they can hide text or make two
/// different names look alike in a log.
#[tokio::test]
async fn api_error_text_escapes_invisible_characters() {
    let sneaky = "ad\u{ad}min\u{200b}\u{2061}\u{206a}\u{feff}\u{e0041}\u{e007f}";
    let message = sneaky.to_owned();
    let (base, _) = counting_server(move |_, _| {
        json_response(
            StatusCode::BAD_REQUEST,
            json!({"success": false, "errors": [{"code": 7, "message": message}]}),
        )
    })
    .await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let err = get_value(&client).await.unwrap_err();
    for text in [err.to_string(), format!("{err:?}")] {
        for c in sneaky.chars().filter(|c| !c.is_ascii()) {
            assert!(!text.contains(c), "{c:?} in {text:?}");
        }
        assert!(text.contains("\\u{ad}") && text.contains("\\u{e007f}"), "{text}");
    }
}

/// The doc examples are what users copy: none of them prints a server's text
/// (`message`, a body) other than through the escaping `Display`.
#[test]
fn doc_examples_print_server_text_only_escaped() {
    let root = env!("CARGO_MANIFEST_DIR");
    for name in [
        "src/error.rs",
        "src/request.rs",
        "src/pagination.rs",
        "src/client.rs",
        "README.md",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{name}")).unwrap();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_start();
            let example = name.ends_with(".md") || line.starts_with("///") || line.starts_with("//!");
            if !example {
                continue;
            }
            if line.contains("println!") || line.contains("print!(") {
                for raw in [".message)", ".message,", ".message}", "from_utf8_lossy", "body()"] {
                    assert!(
                        !line.contains(raw),
                        "{name}:{}: prints server text raw: {line}",
                        n + 1
                    );
                }
            }
        }
    }
}
