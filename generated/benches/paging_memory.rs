//! Auto-paging keeps one page in memory, not the whole listing.
//!
//! A server on 127.0.0.1 in the same process serves users in pages of 1,000; the client streams
//! them with `.auto_paging()`. A counting global allocator records the peak of live heap bytes
//! (client, server and runtime together) above the level before the stream starts. The bench
//! streams 10,000 and then 100,000 users and fails if the peak grows with the total: with one
//! page held at a time both peaks are about one page (plus the server's copy of it).
//!
//! Run with `cargo bench -p cloudflare-access-users --bench paging_memory`.

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::Query;
use axum::response::IntoResponse;
use axum::Router;
use cloudflare_access_users::models::UserListParams;
use cloudflare_access_users::Client;
use serde_json::json;

#[path = "support/peak_alloc.rs"]
mod peak_alloc;

const PER_PAGE: usize = 1_000;

fn page_body(page: usize, total_pages: usize) -> String {
    let users: Vec<_> = (0..PER_PAGE)
        .map(|i| {
            let n = (page - 1) * PER_PAGE + i;
            json!({
                "id": format!("f174e90a-fafe-4643-bbbc-{n:012}"),
                "email": format!("user{n}@example.com"),
                "name": format!("User Number {n}"),
                "access_seat": true,
                "gateway_seat": false,
                "active_device_count": 2.0,
                "created_at": "2014-01-01T05:20:00.12345Z",
                "updated_at": "2014-01-01T05:20:00.12345Z",
                "last_successful_login": "2020-07-01T05:20:00Z",
                "seat_uid": format!("seat-{n}"),
                "uid": format!("uid-{n}")
            })
        })
        .collect();
    let total = total_pages * PER_PAGE;
    json!({
        "success": true, "errors": [], "messages": [], "result": users,
        "result_info": {"page": page, "per_page": PER_PAGE, "count": PER_PAGE, "total_count": total, "total_pages": total_pages}
    })
    .to_string()
}

/// Streams `pages` pages; answers (users seen, peak live bytes above the start, seconds).
async fn stream(client: &Client, pages: usize) -> (usize, usize, f64) {
    let params = UserListParams {
        per_page: Some(PER_PAGE as i64),
        name: Some(format!("pages-{pages}")),
        ..Default::default()
    };
    let start = Instant::now();
    let base = peak_alloc::start();
    let mut all = client.zero_trust().access().users().list("acc").params(params).auto_paging();
    let mut seen = 0usize;
    let mut bytes_of_emails = 0usize;
    while let Some(user) = all.try_next().await.expect("page") {
        seen += 1;
        bytes_of_emails += user.email.map_or(0, |e| e.len());
    }
    assert!(bytes_of_emails > 0);
    let peak = peak_alloc::peak_above(base);
    (seen, peak, start.elapsed().as_secs_f64())
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it too and gets the same check.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let app = Router::new().fallback(|Query(q): Query<HashMap<String, String>>| async move {
            let page: usize = q.get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
            let total: usize =
                q.get("name").and_then(|v| v.strip_prefix("pages-")).and_then(|v| v.parse().ok()).unwrap_or(1);
            ([("content-type", "application/json")], page_body(page, total)).into_response()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = Client::builder().api_token("bench-token").base_url(base).build().unwrap();

        let one_page = page_body(1, 1).len();
        // Warm up: connection pool, lazily initialised statics.
        let _ = stream(&client, 2).await;
        let (n_small, peak_small, t_small) = stream(&client, 10).await;
        let (n_large, peak_large, t_large) = stream(&client, 100).await;
        assert_eq!(n_small, 10 * PER_PAGE);
        assert_eq!(n_large, 100 * PER_PAGE);
        let mb = |b: usize| b as f64 / 1e6;
        println!("auto-paging, pages of {PER_PAGE} users ({:.2} MB of JSON per page):", mb(one_page));
        println!(
            "  {n_small:>7} users: peak live heap above start {:.2} MB ({:.1} pages of JSON), {:.2} s",
            mb(peak_small),
            peak_small as f64 / one_page as f64,
            t_small
        );
        println!(
            "  {n_large:>7} users: peak live heap above start {:.2} MB ({:.1} pages of JSON), {:.2} s",
            mb(peak_large),
            peak_large as f64 / one_page as f64,
            t_large
        );
        let all_users = n_large * one_page / PER_PAGE;
        println!("  holding all {n_large} users' JSON would be {:.1} MB", mb(all_users));
        let ratio = peak_large as f64 / peak_small as f64;
        println!("  peak(100 pages) / peak(10 pages) = {ratio:.2} (bounded: ≤ 1.5)");
        assert!(ratio <= 1.5, "auto-paging memory grows with the number of pages");
    });
}
