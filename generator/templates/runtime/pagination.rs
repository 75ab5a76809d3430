//! Paged list operations: one page at a time ([`PageRequest`]) or every item
//! of every page as a stream ([`AutoPager`]).

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::hash::Hasher;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::client::Client;
use crate::error::{lenient_u64, ApiError, Error, PaginationError};
use crate::request::{
    decode_error, decode_response, execute, RawResponse, Request, RequestParts, ResponseFuture,
    ResponseValue,
};

/// Default upper bound on the number of pages [`AutoPager`] fetches.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// The `result_info` object of a Cloudflare list response. Numbers sent as
/// floats (`1.0`) or strings are accepted; anything unusable becomes `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[non_exhaustive]
pub struct ResultInfo {
    /// Current page number (1-based).
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page: Option<u64>,
    /// Number of items per page.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub per_page: Option<u64>,
    /// Number of items on this page.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub count: Option<u64>,
    /// Total number of items.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_count: Option<u64>,
    /// Total number of pages.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_pages: Option<u64>,
}

/// One page of a list operation.
///
/// ```
/// # fn f(page: cloudflare_access_users::Page<String>) {
/// let total = page.result_info.as_ref().and_then(|i| i.total_count);
/// for item in &page {
///     println!("{item}");
/// }
/// # let _ = total;
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Paging details sent by the server, if any.
    pub result_info: Option<ResultInfo>,
}

impl<T> Page<T> {
    /// Number of items on this page.
    ///
    /// ```
    /// # fn f(page: cloudflare_access_users::Page<String>) { let _ = page.len(); }
    /// ```
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// `true` if this page has no items.
    ///
    /// ```
    /// # fn f(page: cloudflare_access_users::Page<String>) { let _ = page.is_empty(); }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Iterate over the items by reference.
    ///
    /// ```
    /// # fn f(page: cloudflare_access_users::Page<String>) {
    /// let lengths: Vec<usize> = page.iter().map(|s| s.len()).collect();
    /// # let _ = lengths;
    /// # }
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'c, T> Request<'c, Vec<T>> {
    /// Turn a list request into a paged one; `page_param` and
    /// `per_page_param` name the query parameters that select the page.
    ///
    /// ```
    /// use cloudflare_access_users::{Client, PageRequest, Request};
    /// let client = Client::builder().base_url("https://api.example.com/v1").build()?;
    /// let pages: PageRequest<'_, serde_json::Value> =
    ///     Request::<Vec<serde_json::Value>>::new(&client, reqwest::Method::GET, "/items", "/items".into())
    ///         .query("per_page", &50)
    ///         .paginated("page", "per_page");
    /// # drop(pages);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn paginated(
        self,
        page_param: &'static str,
        per_page_param: &'static str,
    ) -> PageRequest<'c, T> {
        PageRequest {
            request: self,
            page_param,
            per_page_param,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

/// A request to a paged list operation. Awaiting it fetches one page
/// (the one selected by the query, or the server's first);
/// [`PageRequest::auto_paging`] streams the items of all pages.
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct PageRequest<'c, T> {
    request: Request<'c, Vec<T>>,
    page_param: &'static str,
    per_page_param: &'static str,
    max_pages: u64,
}

impl<T> fmt::Debug for PageRequest<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageRequest")
            .field("request", &self.request)
            .field("page_param", &self.page_param)
            .field("per_page_param", &self.per_page_param)
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl<T> PageRequest<'_, T> {
    /// Override the client's per-attempt timeout (for every page).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let req = req.timeout(std::time::Duration::from_secs(5));
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request = self.request.timeout(timeout);
        self
    }

    /// Override the client's number of retries (for every page).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let req = req.max_retries(5);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.request = self.request.max_retries(max_retries);
        self
    }

    /// Override the client's retry backoff (for every page).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// use std::time::Duration;
    /// let req = req.retry_backoff(Duration::from_millis(100), Duration::from_secs(1));
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.request = self.request.retry_backoff(initial, max);
        self
    }

    /// Override the client's response size limit (for every page).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let req = req.max_response_bytes(8 * 1024 * 1024);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.request = self.request.max_response_bytes(limit);
        self
    }

    /// Set an extra header (for every page).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let req = req.header("x-trace-id", "abc");
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.header(name, value);
        self
    }

    /// Add a query parameter (for every page).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let req = req.query("per_page", &25);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn query<V: fmt::Display + ?Sized>(mut self, name: &str, value: &V) -> Self {
        self.request = self.request.query(name, value);
        self
    }

    /// Largest number of pages [`PageRequest::auto_paging`] fetches before
    /// failing with [`PaginationError::PageLimit`] (default
    /// [`DEFAULT_MAX_PAGES`]).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let req = req.max_pages(100);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn max_pages(mut self, max_pages: u64) -> Self {
        self.max_pages = max_pages;
        self
    }
}

impl<T: DeserializeOwned + Send + 'static> PageRequest<'_, T> {
    /// Fetch one page (same as `.await`ing the request).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// # let client = cloudflare_access_users::Client::from_env()?;
    /// # let req = cloudflare_access_users::Request::<Vec<serde_json::Value>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let page = req.query("page", &2).send().await?;
    /// println!("{} items", page.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn send(self) -> ResponseFuture<Page<T>> {
        let fut = self.send_with_response();
        Box::pin(async move { fut.await.map(ResponseValue::into_inner) })
    }

    /// Fetch one page with the status, headers and messages of the response.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// # let client = cloudflare_access_users::Client::from_env()?;
    /// # let req = cloudflare_access_users::Request::<Vec<serde_json::Value>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let resp = req.send_with_response().await?;
    /// println!("{} {:?}", resp.status(), resp.result_info());
    /// # Ok(())
    /// # }
    /// ```
    pub fn send_with_response(self) -> ResponseFuture<ResponseValue<Page<T>>> {
        let Request {
            client,
            parts,
            error,
            ..
        } = self.request;
        let client = client.clone();
        Box::pin(async move {
            if let Some(e) = error {
                return Err(e);
            }
            let raw = execute(&client, &parts).await?;
            let resp = decode_response::<Option<Vec<T>>>(raw, parts.envelope)?;
            let result_info = resp.result_info().cloned();
            Ok(resp.map(|items| Page {
                items: items.unwrap_or_default(),
                result_info,
            }))
        })
    }

    /// Stream every item of every page, fetching pages lazily and holding one
    /// page in memory at a time.
    ///
    /// Starts at the page given in the query (or 1) and asks for the next one
    /// with the same page size until a page is empty, shorter than the page
    /// size (from the query or `result_info.per_page`), or the last of
    /// `result_info.total_pages`. A server that returns the same items again
    /// ends the stream with [`PaginationError::RepeatedPage`]; more than
    /// [`PageRequest::max_pages`] pages end it with
    /// [`PaginationError::PageLimit`]. The stream ends after its first error.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// use cloudflare_access_users::{encode_path, Client, Request};
    /// let client = Client::from_env()?;
    /// let path = format!("/accounts/{}/access/users", encode_path("my-account"));
    /// let mut users = Request::<Vec<serde_json::Value>>::new(
    ///     &client,
    ///     reqwest::Method::GET,
    ///     "/accounts/{account_id}/access/users",
    ///     path,
    /// )
    /// .query("per_page", &100)
    /// .paginated("page", "per_page")
    /// .auto_paging();
    /// while let Some(user) = users.try_next().await? {
    ///     println!("{user}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn auto_paging(self) -> AutoPager<T> {
        let Request {
            client,
            mut parts,
            error,
            ..
        } = self.request;
        let position = |name: &str, q: &[(String, String)]| q.iter().position(|(k, _)| k == name);
        let (page_index, first_page) = match position(self.page_param, &parts.query) {
            Some(i) => (i, parts.query[i].1.trim().parse::<u64>().unwrap_or(1)),
            None => {
                parts
                    .query
                    .push((self.page_param.to_owned(), String::new()));
                (parts.query.len() - 1, 1)
            }
        };
        let per_page = position(self.per_page_param, &parts.query)
            .and_then(|i| parts.query[i].1.trim().parse::<u64>().ok())
            .filter(|n| *n > 0);
        AutoPager {
            client: client.clone(),
            parts,
            page_index,
            next_page: first_page,
            per_page,
            max_pages: self.max_pages,
            pages_fetched: 0,
            items: Vec::new().into_iter(),
            fetch: None,
            last_fingerprint: None,
            done: error.is_some(),
            pending_error: error,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for PageRequest<'_, T> {
    type Output = Result<Page<T>, Error>;
    type IntoFuture = ResponseFuture<Page<T>>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

type FetchFuture = Pin<Box<dyn Future<Output = Result<RawResponse, Error>> + Send>>;

/// Stream of the items of all pages of a list operation; see
/// [`PageRequest::auto_paging`]. Implements `futures_core::Stream` (use
/// `futures::StreamExt` / `TryStreamExt`), or call [`AutoPager::try_next`].
#[must_use = "streams do nothing unless polled"]
pub struct AutoPager<T> {
    client: Client,
    parts: RequestParts,
    /// Index of the page parameter in `parts.query`.
    page_index: usize,
    next_page: u64,
    /// Page size requested by the caller, if any.
    per_page: Option<u64>,
    max_pages: u64,
    pages_fetched: u64,
    items: std::vec::IntoIter<T>,
    fetch: Option<FetchFuture>,
    /// Hash and length of the previous page's raw `result`.
    last_fingerprint: Option<(u64, usize)>,
    pending_error: Option<Error>,
    done: bool,
}

// No field is structurally pinned: the in-flight request is boxed.
impl<T> Unpin for AutoPager<T> {}

impl<T> fmt::Debug for AutoPager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoPager")
            .field("path", &self.parts.path)
            .field("next_page", &self.next_page)
            .field("pages_fetched", &self.pages_fetched)
            .field("buffered", &self.items.len())
            .field("done", &self.done)
            .finish()
    }
}

/// What an auto-paging request needs from a page body.
#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(default)]
    success: Option<bool>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    result_info: Option<ResultInfo>,
}

impl<T: DeserializeOwned> AutoPager<T> {
    /// The next item, `None` at the end; the stream ends after an error.
    ///
    /// ```no_run
    /// # async fn run(mut users: cloudflare_access_users::AutoPager<serde_json::Value>) -> Result<(), cloudflare_access_users::Error> {
    /// let mut all = Vec::new();
    /// while let Some(user) = users.try_next().await? {
    ///     all.push(user);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn try_next(&mut self) -> Result<Option<T>, Error> {
        std::future::poll_fn(|cx| self.poll_item(cx))
            .await
            .transpose()
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        loop {
            if let Some(item) = self.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(err) = self.pending_error.take() {
                self.done = true;
                self.fetch = None;
                return Poll::Ready(Some(Err(err)));
            }
            if self.done {
                return Poll::Ready(None);
            }
            if self.fetch.is_none() {
                if self.pages_fetched >= self.max_pages {
                    self.pending_error = Some(Error::Pagination(PaginationError::PageLimit {
                        max_pages: self.max_pages,
                    }));
                    continue;
                }
                self.parts.query[self.page_index].1 = self.next_page.to_string();
                let client = self.client.clone();
                let parts = self.parts.clone();
                self.fetch = Some(Box::pin(async move { execute(&client, &parts).await }));
            }
            let fetch = self.fetch.as_mut().expect("fetch in flight");
            let outcome = match fetch.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(outcome) => outcome,
            };
            self.fetch = None;
            self.pages_fetched += 1;
            match outcome.and_then(|raw| self.accept_page(raw)) {
                Ok(()) => {}
                Err(e) => self.pending_error = Some(e),
            }
        }
    }

    /// Decode a fetched page into `self.items` and decide whether another
    /// page should be fetched.
    fn accept_page(&mut self, raw: RawResponse) -> Result<(), Error> {
        let page = self.next_page;
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            self.done = true;
            return Ok(());
        }
        let envelope: RawPage<'_> = match serde_json::from_slice(&raw.body) {
            Ok(env) => env,
            Err(_) => {
                // Let the regular decoder produce the precise error.
                return Err(match decode_response::<Option<Vec<T>>>(raw, true) {
                    Err(e) => e,
                    Ok(_) => Error::Config("inconsistent page decode".into()),
                });
            }
        };
        if envelope.success == Some(false) {
            if let Some(api) = ApiError::from_unsuccessful(raw.status, &raw.headers, &raw.body) {
                return Err(Error::Api(api));
            }
        }
        let Some(result) = envelope.result else {
            self.done = true;
            return Ok(());
        };
        let text = result.get();
        let items: Vec<T> = if text == "null" {
            Vec::new()
        } else {
            serde_json::from_str(text)
                .map_err(|_| decode_error::<Vec<T>>(text.as_bytes(), "result", raw.body.clone()))?
        };
        if items.is_empty() {
            self.done = true;
            return Ok(());
        }
        let mut hasher = DefaultHasher::new();
        hasher.write(text.as_bytes());
        let fingerprint = (hasher.finish(), text.len());
        if self.last_fingerprint == Some(fingerprint) {
            return Err(Error::Pagination(PaginationError::RepeatedPage { page }));
        }
        self.last_fingerprint = Some(fingerprint);

        let info = envelope.result_info.unwrap_or_default();
        let per_page = self.per_page.or(info.per_page).filter(|n| *n > 0);
        let short_page = per_page.is_some_and(|n| (items.len() as u64) < n);
        let last_page = info.total_pages.is_some_and(|total| page >= total);
        match page.checked_add(1) {
            Some(next) if !short_page && !last_page => self.next_page = next,
            _ => self.done = true,
        }
        self.items = items.into_iter();
        Ok(())
    }
}

impl<T: DeserializeOwned> futures_core::Stream for AutoPager<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.items.len();
        if self.done && self.pending_error.is_none() {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}

impl<T: DeserializeOwned> futures_core::FusedStream for AutoPager<T> {
    fn is_terminated(&self) -> bool {
        self.done && self.pending_error.is_none() && self.items.as_slice().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_info_is_lenient() {
        let info: ResultInfo = serde_json::from_str(
            r#"{"page":1.0,"per_page":"100","count":3,"total_count":null,"total_pages":-1,"cursor":"x"}"#,
        )
        .unwrap();
        assert_eq!(info.page, Some(1));
        assert_eq!(info.per_page, Some(100));
        assert_eq!(info.count, Some(3));
        assert_eq!(info.total_count, None);
        assert_eq!(info.total_pages, None);
    }
}
