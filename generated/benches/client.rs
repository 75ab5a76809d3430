//! The client's cost over plain reqwest + serde_json, against a server on 127.0.0.1 in the same
//! process. Each group measures the generated client and the baseline in the same run, with the
//! same `reqwest::Client` (so the same connection pool) and into the same model structs:
//!
//! - `decode_1000_users`: one list page of 1,000 users (about 400 KB of JSON).
//! - `per_request`: one small response (a single user), where the per-request work (building
//!   the URL and query, headers, retry bookkeeping, the envelope) dominates.
//!
//! Run with `cargo bench -p cloudflare-access-users --bench client`.

use std::time::Duration;

use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use cloudflare_access_users::models::User;
use cloudflare_access_users::{Client, ResponseInfo, ResultInfo};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::Deserialize;
use serde_json::json;

/// The response envelope, as a hand-written client would declare it.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Envelope<T> {
    success: bool,
    #[serde(default)]
    errors: Vec<ResponseInfo>,
    #[serde(default)]
    messages: Vec<ResponseInfo>,
    result: T,
    #[serde(default)]
    result_info: Option<ResultInfo>,
}

fn user(i: usize) -> serde_json::Value {
    json!({
        "id": format!("f174e90a-fafe-4643-bbbc-{i:012}"),
        "access_seat": i.is_multiple_of(2),
        "active_device_count": (i % 5) as f64,
        "created_at": "2014-01-01T05:20:00.12345Z",
        "email": format!("user{i}@example.com"),
        "gateway_seat": i.is_multiple_of(3),
        "last_successful_login": "2020-07-01T05:20:00Z",
        "name": format!("User Number {i}"),
        "seat_uid": format!("seat-{i}"),
        "uid": format!("uid-{i}"),
        "updated_at": "2014-01-01T05:20:00.12345Z"
    })
}

fn envelope(result: serde_json::Value, count: usize) -> Bytes {
    let body = json!({
        "success": true,
        "errors": [],
        "messages": [],
        "result": result,
        "result_info": {"page": 1, "per_page": count, "count": count, "total_count": count, "total_pages": 1}
    });
    Bytes::from(serde_json::to_vec(&body).unwrap())
}

struct Fixture {
    rt: tokio::runtime::Runtime,
    client: Client,
    http: reqwest::Client,
    base: String,
    page_len: usize,
}

fn fixture() -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let page = envelope(serde_json::Value::Array((0..1000).map(user).collect()), 1000);
    let one = envelope(user(7), 1);
    let page_len = page.len();
    let app = Router::new()
        .route(
            "/accounts/acc/access/users",
            get(move || {
                let page = page.clone();
                async move { ([("content-type", "application/json")], page).into_response() }
            }),
        )
        .route(
            "/accounts/acc/access/users/u7",
            get(move || {
                let one = one.clone();
                async move { ([("content-type", "application/json")], one).into_response() }
            }),
        );
    let base = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        base
    });
    // The same reqwest settings on both sides (each has its own pool).
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let client = Client::builder()
        .api_token("bench-token")
        .base_url(base.clone())
        .http_client_builder(reqwest::Client::builder())
        .build()
        .unwrap();
    Fixture { rt, client, http, base, page_len }
}

fn benches(c: &mut Criterion) {
    let f = fixture();
    let users = || f.client.zero_trust().access().users();

    // Both sides must decode the same thing before anything is timed.
    f.rt.block_on(async {
        let page = users().list("acc").await.unwrap();
        assert_eq!(page.items.len(), 1000);
        let body = f.http.get(format!("{}/accounts/acc/access/users", f.base)).send().await.unwrap().bytes().await.unwrap();
        let env: Envelope<Vec<User>> = serde_json::from_slice(&body).unwrap();
        assert_eq!(env.result, page.items);
    });

    let mut g = c.benchmark_group("decode_1000_users");
    g.throughput(Throughput::Bytes(f.page_len as u64));
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("generated_client", |b| {
        b.to_async(&f.rt).iter(|| async {
            let page = users().list("acc").await.unwrap();
            assert_eq!(page.items.len(), 1000);
            page
        })
    });
    g.bench_function("reqwest_serde_json", |b| {
        b.to_async(&f.rt).iter(|| async {
            let resp = f
                .http
                .get(format!("{}/accounts/acc/access/users", f.base))
                .header("authorization", "Bearer bench-token")
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            let body = resp.bytes().await.unwrap();
            let env: Envelope<Vec<User>> = serde_json::from_slice(&body).unwrap();
            assert_eq!(env.result.len(), 1000);
            env.result
        })
    });
    g.finish();

    let mut g = c.benchmark_group("per_request");
    g.bench_function("generated_client", |b| {
        b.to_async(&f.rt).iter(|| async { users().get("acc", "u7").await.unwrap() })
    });
    g.bench_function("reqwest_serde_json", |b| {
        b.to_async(&f.rt).iter(|| async {
            let resp = f
                .http
                .get(format!("{}/accounts/acc/access/users/u7", f.base))
                .header("authorization", "Bearer bench-token")
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            let body = resp.bytes().await.unwrap();
            let env: Envelope<User> = serde_json::from_slice(&body).unwrap();
            env.result
        })
    });
    g.finish();
}

criterion_group!(client, benches);
criterion_main!(client);
