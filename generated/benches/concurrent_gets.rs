//! 1,000 concurrent `get` calls through the generated client against the same calls made with
//! plain reqwest + serde_json, both decoding into the crate's `User`, against one server on
//! 127.0.0.1 in the same process. Both send the same request: path, `User-Agent`, `Accept` and
//! `Authorization` headers. Both sides use a `reqwest::Client` built with the same
//! settings (the generated client builds its own from the builder it is given).
//!
//! Each round sends all 1,000 requests at once (one task each) and waits for every response.
//! The server answers none of them until all 1,000 have arrived, so every request of a round is
//! in flight at the same moment on either side: the peak no longer depends on how the machine's
//! load spreads the requests out. Rounds alternate between the sides, each going first in turn,
//! so a change in machine load hits all alike. Reported:
//! the median throughput of each side, the median peak of live heap bytes during a round
//! above the level before it, and allocations per request (a counting global allocator: client,
//! server and runtime together, the server's share being the same on both sides). Ratios are generated / plain.
//!
//! Run with `cargo bench -p cloudflare-access-users --bench concurrent_gets` (`ROUNDS=N` to
//! change the 9 measured rounds per side).

#[path = "support/peak_alloc.rs"]
mod peak_alloc;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use cloudflare_access_users::models::User;
use cloudflare_access_users::Client;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Barrier;

const CALLS: usize = 1_000;

/// The generated client's `User-Agent` (crate name and version).
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The response envelope, as a hand-written client would declare it.
#[derive(Deserialize)]
struct Envelope<T> {
    result: T,
}

fn user_body(id: &str) -> String {
    json!({
        "success": true, "errors": [], "messages": [],
        "result": {
            "id": id, "email": format!("{id}@example.com"), "name": format!("User {id}"),
            "access_seat": true, "active_device_count": 2, "gateway_seat": false,
            "seat_uid": "s-1", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-06-01T00:00:00Z",
            "last_successful_login": "2024-06-02T00:00:00Z"
        }
    })
    .to_string()
}

async fn generated_round(client: &Client) -> Vec<User> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CALLS {
        let client = client.clone();
        tasks.spawn(async move { client.zero_trust().access().users().get("acc", &format!("u{i}")).await.expect("get") });
    }
    tasks.join_all().await
}

/// `timeout`: the per-request timeout the generated client sets by default (60 s), or none as
/// reqwest's own default.
async fn plain_round(http: &reqwest::Client, base: &str, timeout: Option<Duration>) -> Vec<User> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CALLS {
        let (http, url) = (http.clone(), format!("{base}/accounts/acc/access/users/u{i}"));
        tasks.spawn(async move {
            // The request the generated client sends, header for header.
            let mut req = http
                .get(url)
                .header("user-agent", USER_AGENT)
                .header("accept", "application/json")
                .header("authorization", "Bearer bench-token");
            if let Some(t) = timeout {
                req = req.timeout(t);
            }
            let resp = req.send().await.expect("get");
            assert!(resp.status().is_success());
            let body = resp.bytes().await.expect("body");
            serde_json::from_slice::<Envelope<User>>(&body).expect("decode").result
        });
    }
    tasks.join_all().await
}

/// One measured round: requests per second, the peak heap bytes above the start, and
/// allocations per request (client, server and runtime together).
async fn measure<F: std::future::Future<Output = Vec<User>>>(round: F) -> (f64, usize, f64) {
    let base = peak_alloc::start();
    let allocations = peak_alloc::allocations();
    let started = Instant::now();
    let users = round.await;
    let seconds = started.elapsed().as_secs_f64();
    let made = peak_alloc::allocations() - allocations;
    assert_eq!(users.len(), CALLS);
    (CALLS as f64 / seconds, peak_alloc::peak_above(base), made as f64 / CALLS as f64)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(9).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        // Every round sends exactly `CALLS` requests; the barrier lets them through together.
        let gate = Arc::new(Barrier::new(CALLS));
        let app = Router::new().route(
            "/accounts/acc/access/users/{id}",
            get(move |Path(id): Path<String>| {
                let gate = Arc::clone(&gate);
                async move {
                    gate.wait().await;
                    ([("content-type", "application/json")], user_body(&id)).into_response()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let settings = || reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(CALLS);
        let http = settings().build().unwrap();
        let client = Client::builder()
            .api_token("bench-token")
            .base_url(base.clone())
            .max_retries(0)
            .http_client_builder(settings())
            .build()
            .unwrap();

        // Both sides decode the same users; this round also fills both connection pools.
        let (mut ours, mut theirs) = (generated_round(&client).await, plain_round(&http, &base, None).await);
        ours.sort_by(|a, b| a.id.cmp(&b.id));
        theirs.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(ours, theirs);
        drop((ours, theirs));

        let sixty = Some(Duration::from_secs(60));
        let (mut rates, mut peaks, mut allocs) = ([vec![], vec![], vec![]], [vec![], vec![], vec![]], [vec![], vec![], vec![]]);
        for round in 0..rounds {
            // Each side goes first in a third of the rounds, so what one round leaves behind
            // (a warmer pool, freed memory) favours no side.
            for step in 0..3 {
                let side = (round + step) % 3;
                let (rate, peak, made) = match side {
                    0 => measure(generated_round(&client)).await,
                    1 => measure(plain_round(&http, &base, None)).await,
                    _ => measure(plain_round(&http, &base, sixty)).await,
                };
                rates[side].push(rate);
                peaks[side].push(peak as f64);
                allocs[side].push(made);
            }
        }
        let rate = rates.map(median);
        let peak = peaks.map(median);
        let made = allocs.map(median);
        println!("{CALLS} concurrent gets, median of {rounds} alternating rounds per side:");
        for (i, name) in ["generated client", "reqwest + serde_json", "the same with a 60 s timeout"].iter().enumerate() {
            println!(
                "  {name:<30} {:>8.0} requests/s, peak heap {:.2} MB, {:.1} allocations per request",
                rate[i],
                peak[i] / 1e6,
                made[i]
            );
        }
        println!(
            "  generated / plain: throughput {:.3} (target ≥ 0.95), peak heap {:.3} (target ≤ 1.1)",
            rate[0] / rate[1],
            peak[0] / peak[1]
        );
        println!("  generated / plain with the same timeout: throughput {:.3}, peak heap {:.3}", rate[0] / rate[2], peak[0] / peak[2]);
    });
}
