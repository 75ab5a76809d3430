//! Pagination tests of the hand-written runtime against in-process axum
//! servers bound to 127.0.0.1. They only use runtime items and local models.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use cloudflare_access_users::{
    encode_path, Client, Error, Page, PageRequest, PaginationError, Request,
};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: String,
    email: String,
}

/// Query parameters seen by the server: (page, per_page).
type Seen = Arc<Mutex<Vec<(Option<u64>, Option<u64>)>>>;

/// `GET /accounts/{account_id}/access/users` as generated code builds it.
fn list_users<'c>(
    client: &'c Client,
    per_page: Option<u64>,
    page: Option<u64>,
) -> PageRequest<'c, User> {
    let path = format!("/accounts/{}/access/users", encode_path("acc"));
    let mut req: Request<'c, Vec<User>> = Request::new(
        client,
        Method::GET,
        "/accounts/{account_id}/access/users",
        path,
    );
    if let Some(v) = &page {
        req = req.query("page", v);
    }
    if let Some(v) = &per_page {
        req = req.query("per_page", v);
    }
    req.paginated("page", "per_page")
}

fn user(i: u64) -> Value {
    json!({"id": format!("u{i:04}"), "email": format!("u{i}@example.com")})
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Serve a list endpoint; `respond(page, per_page)` builds the body.
async fn list_server<F>(respond: F) -> (Client, Seen)
where
    F: Fn(Option<u64>, Option<u64>) -> Response + Clone + Send + Sync + 'static,
{
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let app = Router::new().fallback(move |Query(q): Query<HashMap<String, String>>| {
        let page = q.get("page").and_then(|v| v.parse().ok());
        let per_page = q.get("per_page").and_then(|v| v.parse().ok());
        record.lock().unwrap().push((page, per_page));
        let respond = respond.clone();
        async move { respond(page, per_page) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .api_token("t")
        .base_url(base)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    (client, seen)
}

/// A well-behaved server over `total` users with full `result_info`.
fn paged(total: u64, page: Option<u64>, per_page: Option<u64>) -> Response {
    let (page, per_page) = (page.unwrap_or(1), per_page.unwrap_or(20));
    let start = (page - 1) * per_page;
    let items: Vec<Value> = (start..total.min(start + per_page)).map(user).collect();
    json_response(
        StatusCode::OK,
        json!({"success": true, "errors": [], "messages": [], "result": items,
               "result_info": {"page": page, "per_page": per_page, "count": items.len(),
                               "total_count": total, "total_pages": total.div_ceil(per_page)}}),
    )
}

/// Drain a pager, giving up after 10 s so a looping pager fails the test
/// instead of hanging it.
async fn drain(pager: cloudflare_access_users::AutoPager<User>) -> (Vec<User>, Option<Error>) {
    drain_within(pager, Duration::from_secs(10)).await
}

async fn drain_within(
    mut pager: cloudflare_access_users::AutoPager<User>,
    limit: Duration,
) -> (Vec<User>, Option<Error>) {
    tokio::time::timeout(limit, async move {
        let mut items = Vec::new();
        loop {
            match pager.try_next().await {
                Ok(Some(u)) => items.push(u),
                Ok(None) => return (items, None),
                Err(e) => {
                    // The stream must end after an error.
                    assert!(pager.try_next().await.unwrap().is_none());
                    return (items, Some(e));
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("auto-paging did not finish within {limit:?}"))
}

#[tokio::test]
async fn auto_paging_250_users_in_pages_of_100() {
    let (client, seen) = list_server(|page, per_page| paged(250, page, per_page)).await;
    let (users, err) = drain(list_users(&client, Some(100), None).auto_paging()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(users.len(), 250);
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let expected: Vec<String> = (0..250).map(|i| format!("u{i:04}")).collect();
    assert_eq!(ids, expected, "items must come in order");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        250,
        "no duplicates"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (Some(1), Some(100)),
            (Some(2), Some(100)),
            (Some(3), Some(100))
        ]
    );
}

#[tokio::test]
async fn stops_at_total_pages_even_when_the_last_page_is_full() {
    let (client, seen) = list_server(|page, per_page| paged(200, page, per_page)).await;
    let (users, err) = drain(list_users(&client, Some(100), None).auto_paging()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(users.len(), 200);
    assert_eq!(
        *seen.lock().unwrap(),
        [(Some(1), Some(100)), (Some(2), Some(100))]
    );
}

#[tokio::test]
async fn auto_paging_is_a_futures_stream() {
    use futures_core::Stream;
    let (client, _) = list_server(|page, per_page| paged(45, page, per_page)).await;
    let mut pager = list_users(&client, Some(20), None).auto_paging();
    let mut n = 0;
    while let Some(item) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut pager).poll_next(cx)).await
    {
        item.unwrap();
        n += 1;
    }
    assert_eq!(n, 45);
}

#[tokio::test]
async fn stops_on_a_short_page_without_result_info() {
    let (client, seen) = list_server(|page, per_page| {
        let (page, per_page) = (page.unwrap_or(1), per_page.unwrap_or(100));
        let start = (page - 1) * per_page;
        let items: Vec<Value> = (start..250.min(start + per_page)).map(user).collect();
        json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [], "messages": [], "result": items}),
        )
    })
    .await;
    let (users, err) = drain(list_users(&client, Some(100), None).auto_paging()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(users.len(), 250);
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "page 3 is short: no 4th request"
    );
}

#[tokio::test]
async fn stops_on_an_empty_page_when_the_page_size_is_unknown() {
    let (client, seen) = list_server(|page, _| {
        let page = page.unwrap_or(1);
        let items: Vec<Value> = if page <= 2 {
            ((page - 1) * 30..page * 30).map(user).collect()
        } else {
            Vec::new()
        };
        // `result: null` for the empty page, as some endpoints do.
        let result = if items.is_empty() {
            Value::Null
        } else {
            Value::from(items)
        };
        json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [], "messages": [], "result": result}),
        )
    })
    .await;
    let (users, err) = drain(list_users(&client, None, None).auto_paging()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(users.len(), 60);
    assert_eq!(
        *seen.lock().unwrap(),
        [(Some(1), None), (Some(2), None), (Some(3), None)]
    );
}

#[tokio::test]
async fn a_server_repeating_the_same_page_ends_the_stream() {
    // Ignores `page` (but echoes it in result_info) and returns the same full
    // page forever, without total_pages.
    let (client, seen) = list_server(|page, _| {
        let items: Vec<Value> = (0..100).map(user).collect();
        json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [], "messages": [], "result": items,
                   "result_info": {"page": page, "per_page": 100, "count": 100}}),
        )
    })
    .await;
    let (users, err) = drain(list_users(&client, Some(100), None).auto_paging()).await;
    assert_eq!(users.len(), 100, "the repeated page is not yielded again");
    assert!(
        matches!(
            err,
            Some(Error::Pagination(PaginationError::RepeatedPage { page: 2 }))
        ),
        "{err:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn paging_by_hand_through_pages_that_alternate_stops_at_max_pages() {
    // Two pages in turn, forever, without total_pages: no page repeats the one
    // just before it, so only the page limit ends a loop of `next_page`.
    let (client, seen) = list_server(|page, _| {
        let id = if page.unwrap_or(1) % 2 == 0 { 1 } else { 2 };
        json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [], "messages": [], "result": [user(id)]}),
        )
    })
    .await;
    let mut page = list_users(&client, None, None).max_pages(5).await.unwrap();
    let mut pages = 1;
    let err = loop {
        match page.next_page().await {
            Ok(Some(next)) => {
                page = next;
                pages += 1;
                assert!(pages <= 5, "page {pages} was fetched");
            }
            Ok(None) => panic!("the pages never end, yet paging ended"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(err, Error::Pagination(PaginationError::PageLimit { max_pages: 5 })),
        "{err:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn endless_distinct_pages_stop_at_max_pages() {
    let (client, seen) = list_server(|page, _| {
        let page = page.unwrap_or(1);
        let items: Vec<Value> = ((page - 1) * 10..page * 10).map(user).collect();
        json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [], "messages": [], "result": items}),
        )
    })
    .await;
    let pager = list_users(&client, Some(10), None)
        .max_pages(5)
        .auto_paging();
    let (users, err) = drain(pager).await;
    assert_eq!(users.len(), 50);
    assert!(
        matches!(
            err,
            Some(Error::Pagination(PaginationError::PageLimit {
                max_pages: 5
            }))
        ),
        "{err:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn starts_at_the_callers_page_and_reads_float_result_info() {
    let (client, seen) = list_server(|page, per_page| {
        let (page, per_page) = (page.unwrap_or(1), per_page.unwrap_or(20));
        let start = (page - 1) * per_page;
        let items: Vec<Value> = (start..70.min(start + per_page)).map(user).collect();
        json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [], "messages": [], "result": items,
                   "result_info": {"page": page as f64, "per_page": per_page as f64,
                                   "total_count": 70.0, "total_pages": 4.0}}),
        )
    })
    .await;
    // per_page 20 is from the server's default, not from the caller.
    let (users, err) = drain(list_users(&client, None, Some(3)).auto_paging()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(users.first().map(|u| u.id.as_str()), Some("u0040"));
    assert_eq!(users.len(), 30);
    assert_eq!(*seen.lock().unwrap(), [(Some(3), None), (Some(4), None)]);
}

#[tokio::test]
async fn an_error_page_ends_the_stream_after_the_good_items() {
    let (client, seen) = list_server(|page, per_page| {
        if page == Some(2) {
            json_response(
                StatusCode::NOT_FOUND,
                json!({"success": false, "errors": [{"code": 1001, "message": "gone"}], "messages": [], "result": null}),
            )
        } else {
            paged(250, page, per_page)
        }
    })
    .await;
    let (users, err) = drain(list_users(&client, Some(100), None).auto_paging()).await;
    assert_eq!(users.len(), 100);
    let err = err.expect("page 2 fails");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 2, "404 is not retried");
}

#[tokio::test]
async fn one_page_with_result_info() {
    let (client, seen) = list_server(|page, per_page| paged(250, page, per_page)).await;
    let page: Page<User> = list_users(&client, Some(100), Some(3)).await.unwrap();
    assert_eq!(page.len(), 50);
    let info = page.result_info.clone().unwrap();
    assert_eq!(
        (info.page, info.total_pages, info.total_count),
        (Some(3), Some(3), Some(250))
    );
    let ids: Vec<&str> = page.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"u0200"));
    assert_eq!(page.into_iter().count(), 50);

    let resp = list_users(&client, Some(10), None)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.result_info().and_then(|i| i.total_pages), Some(25));
    assert_eq!(resp.items.len(), 10);
    assert_eq!(
        *seen.lock().unwrap(),
        [(Some(3), Some(100)), (None, Some(10))]
    );
}

#[tokio::test]
async fn endless_distinct_pages_stop_at_the_default_ten_thousand() {
    // One user per page, every page new and full: only the default page limit ends it.
    let (client, seen) = list_server(|page, _| {
        let items = vec![user(page.unwrap_or(1))];
        json_response(
            StatusCode::OK,
            json!({"success": true, "errors": [], "messages": [], "result": items}),
        )
    })
    .await;
    // 10,000 requests take a few seconds in a debug build.
    let (users, err) = drain_within(
        list_users(&client, Some(1), None).auto_paging(),
        Duration::from_secs(120),
    )
    .await;
    assert!(
        matches!(
            err,
            Some(Error::Pagination(PaginationError::PageLimit {
                max_pages: 10_000
            }))
        ),
        "{err:?}"
    );
    assert_eq!(users.len(), 10_000);
    assert_eq!(seen.lock().unwrap().len(), 10_000);
}
