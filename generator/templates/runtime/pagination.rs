//! Paged list operations: one page at a time ([`PageRequest`]) or every item
//! of every page as a stream ([`AutoPager`]).

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::hash::Hasher;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, LINK};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::client::Client;
use crate::error::{lenient_u64, ApiError, Error, PaginationError};
use crate::request::{
    decode_error, decode_response, execute, Params, RawResponse, Request, RequestParts,
    ResponseFuture, ResponseValue,
};

/// Default upper bound on the number of pages [`AutoPager`] fetches.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// The `result_info` object of an enveloped list response. Numbers sent as
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
    /// The cursor of the next page, for operations paged by cursor (a
    /// string, or a number as written).
    #[serde(default, deserialize_with = "lenient_cursor")]
    pub cursor: Option<String>,
}

/// A cursor: a non-empty string or a number; anything else is no cursor.
fn lenient_cursor<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// One page of a list operation.
///
/// ```
/// # fn f(page: cloudflare_access_users::Page<String>) {
/// let total = page.result_info.as_ref().and_then(|i| i.total_count);
/// for item in &page {
///     println!("{item:?}");
/// }
/// # let _ = total;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Paging details sent by the server, if any.
    pub result_info: Option<ResultInfo>,
    /// The request for the page after this one, as the operation's paging
    /// style works it out; `None` on the last page.
    next: Option<NextPage>,
}

/// Pages are equal when their items and paging details are.
impl<T: PartialEq> PartialEq for Page<T> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items && self.result_info == other.result_info
    }
}

/// How to fetch the page after a page: the request and the style's state.
#[derive(Clone)]
struct NextPage {
    client: Client,
    parts: RequestParts,
    strategy: Box<dyn Strategy>,
    items_path: &'static [&'static str],
    /// Set when the style found the server going round in circles: fetching
    /// the next page fails with it.
    error: Option<PaginationError>,
    /// Hash and length of the raw list of the page this one follows.
    fingerprint: Option<(u64, usize)>,
    /// Pages fetched before this one, and how many may be: paging by hand
    /// stops at the same limit as [`PageRequest::auto_paging`], so a server
    /// that never says "last page" cannot keep a loop of `next_page` going.
    pages: u64,
    max_pages: u64,
}

impl Clone for Box<dyn Strategy> {
    fn clone(&self) -> Self {
        self.boxed_clone()
    }
}

/// Fetch the page `parts` asks for; `state` is the style's state for the
/// request, from which the page works out the one after it.
fn fetch_page<T: DeserializeOwned + Send + 'static>(
    parts: RequestParts,
    state: NextPage,
    error: Option<Error>,
) -> ResponseFuture<ResponseValue<Page<T>>> {
    Box::pin(async move {
        if let Some(e) = error {
            return Err(e);
        }
        let raw = execute(&state.client, &parts).await?;
        let items = state.items_path;
        let next = state.after(&raw);
        if parts.envelope && items == ["result"] {
            let resp = decode_response::<Option<Vec<T>>>(raw, true)?;
            let result_info = resp.result_info().cloned();
            return Ok(resp.map(|items| Page {
                items: items.unwrap_or_default(),
                result_info,
                next,
            }));
        }
        let page = match read_page(&raw, parts.envelope, items)? {
            Some(view) => decode_items::<T>(&view, items, &raw.body)?,
            None => Vec::new(),
        };
        let page = Page {
            items: page,
            result_info: None,
            next,
        };
        Ok(ResponseValue::plain(page, raw.status, raw.headers))
    })
}

impl fmt::Debug for NextPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextPage")
            .field("path", &self.parts.path)
            .field("strategy", &self.strategy)
            .field("error", &self.error)
            .finish()
    }
}

impl NextPage {
    /// The request after the page `raw` answered this one with (non-generic:
    /// compiled once). `None` when the page has no items or the style says
    /// it is the last; a page whose items repeat the page before it (a
    /// server ignoring the page parameter) leaves an error to fetch instead.
    fn after(mut self, raw: &RawResponse) -> Option<NextPage> {
        let view = read_page(raw, self.parts.envelope, self.items_path).ok()??;
        if view.items.is_empty() {
            return None;
        }
        let mut hasher = DefaultHasher::new();
        hasher.write(view.list.as_bytes());
        let fingerprint = (hasher.finish(), view.list.len());
        let page = self.strategy.page().unwrap_or(0);
        self.pages += 1;
        self.error = if self.fingerprint == Some(fingerprint) {
            Some(PaginationError::RepeatedPage { page })
        } else if self.pages >= self.max_pages {
            Some(PaginationError::PageLimit { max_pages: self.max_pages })
        } else {
            self.parts.next_url = None;
            match self.strategy.advance(&view, &mut self.parts) {
                Ok(true) => None,
                Ok(false) => return None,
                Err(Error::Pagination(e)) => Some(e),
                // The styles fail only with a pagination error.
                Err(_) => return None,
            }
        };
        self.fingerprint = Some(fingerprint);
        Some(self)
    }
}

impl<T> Page<T> {
    /// A page of `items` on its own, with no page after it (for tests and
    /// mock implementations).
    ///
    /// ```
    /// let page = cloudflare_access_users::Page::new(vec![1, 2, 3]);
    /// assert_eq!(page.len(), 3);
    /// assert!(!page.has_next_page());
    /// ```
    pub fn new(items: Vec<T>) -> Self {
        Page {
            items,
            result_info: None,
            next: None,
        }
    }

    /// `true` when the operation's paging style says another page follows
    /// this one (the page has items, and the page number, cursor, offset or
    /// `Link` header the style reads points further).
    ///
    /// ```
    /// # fn f(page: cloudflare_access_users::Page<String>) {
    /// if page.has_next_page() {
    ///     println!("there is more");
    /// }
    /// # }
    /// ```
    pub fn has_next_page(&self) -> bool {
        self.next.is_some()
    }
}

impl<T: DeserializeOwned + Send + 'static> Page<T> {
    /// Fetch the page after this one: `None` when [`Page::has_next_page`] is
    /// `false`. It is asked for as the operation's [`Paging`] style says, with
    /// the parameters of the request this page answered; a server that sends
    /// the same items again, or the same cursor or link, fails it with a
    /// [`PaginationError`], and so does asking for more pages in all than
    /// [`PageRequest::max_pages`] (default [`DEFAULT_MAX_PAGES`]) allows.
    ///
    /// ```no_run
    /// # async fn run(first: cloudflare_access_users::Page<serde_json::Value>) -> Result<(), cloudflare_access_users::Error> {
    /// let mut page = first;
    /// loop {
    ///     println!("{} items", page.len());
    ///     match page.next_page().await? {
    ///         Some(next) => page = next,
    ///         None => break,
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn next_page(&self) -> ResponseFuture<Option<Page<T>>> {
        let Some(mut next) = self.next.clone() else {
            return Box::pin(async { Ok(None) });
        };
        if let Some(e) = next.error.take() {
            return Box::pin(async move { Err(Error::Pagination(e)) });
        }
        let fut = fetch_page::<T>(next.parts.clone(), next, None);
        Box::pin(async move { fut.await.map(|page| Some(page.into_inner())) })
    }

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

/// How a list operation asks for its next page. Paths are property names
/// from the response body's root (`&["result_info", "cursor"]`).
///
/// ```
/// use cloudflare_access_users::Paging;
/// let style = Paging::Cursor { param: "cursor", next: &["result_info", "cursor"] };
/// # let _ = style;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Paging {
    /// A page number and a page size in the query; the next page is the
    /// number after, until a page is empty, short, or the last of
    /// `result_info.total_pages`.
    PageNumber {
        /// The page-number query parameter.
        page: &'static str,
        /// The page-size query parameter.
        per_page: &'static str,
    },
    /// An opaque cursor read from the body and sent back in `param`, until
    /// the body has none.
    Cursor {
        /// The query parameter the cursor is sent in.
        param: &'static str,
        /// Where the next cursor is in the body.
        next: &'static [&'static str],
    },
    /// While the body's `has_more` flag is true, the `id` of the last item is
    /// sent in `param` (Stripe's `starting_after`).
    HasMore {
        /// The query parameter the last item's id is sent in.
        param: &'static str,
        /// Where the flag is in the body.
        has_more: &'static [&'static str],
        /// The items' id property.
        id: &'static str,
    },
    /// An item offset and a page size in the query; the offset moves by the
    /// items received until a page is empty, shorter than the limit asked
    /// for, or the total (when the body has one) is reached.
    OffsetLimit {
        /// The offset query parameter.
        offset: &'static str,
        /// The page-size query parameter.
        limit: &'static str,
        /// Where the total number of items is in the body, if anywhere.
        total: Option<&'static [&'static str]>,
    },
    /// The URL of an RFC 8288 `Link: <…>; rel="next"` response header, only
    /// on the origin of the base URL.
    LinkHeader,
    //@if next-link
    /// The URL of the next page in the body (Django REST framework's
    /// `next`), followed only on the origin of the base URL, until the body
    /// has none.
    NextLink {
        /// Where the next page's URL is in the body.
        next: &'static [&'static str],
    },
    //@end
}

impl<'c, T, P> Request<'c, Vec<T>, crate::request::AsJson, P> {
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
    ) -> PageRequest<'c, T, P> {
        let items: &'static [&'static str] = if self.parts.envelope {
            &["result"]
        } else {
            &[]
        };
        let paging = Paging::PageNumber {
            page: page_param,
            per_page: per_page_param,
        };
        self.paged(paging, items)
    }

    /// Turn a list request into a paged one of any style; `items` is where
    /// the list is in the body (`&["result"]` in an envelope, `&[]` for a
    /// body that is the list).
    ///
    /// ```
    /// use cloudflare_access_users::{Client, PageRequest, Paging, Request};
    /// let client = Client::builder().base_url("https://api.example.com/v1").build()?;
    /// let pages: PageRequest<'_, serde_json::Value> =
    ///     Request::<Vec<serde_json::Value>>::new(&client, reqwest::Method::GET, "/items", "/items".into())
    ///         .without_envelope()
    ///         .paged(Paging::Cursor { param: "page_token", next: &["nextPageToken"] }, &["items"]);
    /// # drop(pages);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn paged(self, paging: Paging, items: &'static [&'static str]) -> PageRequest<'c, T, P> {
        PageRequest {
            request: self,
            paging,
            items,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}
/// A request to a paged list operation. Awaiting it fetches one page
/// (the one selected by the query, or the server's first; [`Page::next_page`]
/// fetches the one after it); [`PageRequest::auto_paging`] streams the items
/// of all pages. `P` is the operation's parameters struct, set by name as on
/// a [`Request`].
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct PageRequest<'c, T, P = ()> {
    request: Request<'c, Vec<T>, crate::request::AsJson, P>,
    paging: Paging,
    items: &'static [&'static str],
    max_pages: u64,
}

impl<T, P> fmt::Debug for PageRequest<'_, T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageRequest")
            .field("request", &self.request)
            .field("paging", &self.paging)
            .field("items", &self.items)
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl<T, P> PageRequest<'_, T, P> {
    /// Replace every parameter at once (the operation's parameters struct);
    /// the setters named after the parameters change one each.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req = cloudflare_access_users::Request::<Vec<u32>>::new(&client, reqwest::Method::GET, "/x", "/x".into()).paginated("page", "per_page");
    /// let req = req.params(());
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn params(mut self, params: P) -> Self {
        self.request = self.request.params(params);
        self
    }

    /// The parameters, for the generated setters. (Unused in a crate whose
    /// list operations take no parameters.)
    #[allow(dead_code)]
    pub(crate) fn params_mut(&mut self) -> &mut P {
        self.request.params_mut()
    }

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

impl<'c, T, P: Params> PageRequest<'c, T, P> {
    /// The request with its parameters put on it.
    fn applied(self) -> PageRequest<'c, T> {
        PageRequest {
            request: self.request.applied(),
            paging: self.paging,
            items: self.items,
            max_pages: self.max_pages,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static, P: Params> PageRequest<'_, T, P> {
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
        let this = self.applied();
        let Request {
            client,
            parts,
            error,
            ..
        } = this.request;
        // The style starts from a copy: the request goes as the caller built it.
        let mut strategy = this.paging.strategy();
        let mut started = parts.clone();
        strategy.start(&mut started);
        let next = NextPage {
            client: client.clone(),
            parts: started,
            strategy,
            items_path: this.items,
            error: None,
            fingerprint: None,
            pages: 0,
            max_pages: this.max_pages,
        };
        fetch_page(parts, next, error)
    }

    /// Stream every item of every page, fetching pages lazily and holding one
    /// page in memory at a time.
    ///
    /// The pages are asked for as the operation's [`Paging`] style says,
    /// starting from the page, cursor or offset given in the query. The
    /// stream ends at an empty page or when the style says there is no next
    /// page. A server that returns the same items again ends it with
    /// [`PaginationError::RepeatedPage`], the same cursor or link again with
    /// [`PaginationError::RepeatedCursor`], a next link to another origin with
    /// [`PaginationError::ForeignLink`] (nothing is sent there); more than
    /// [`PageRequest::max_pages`] pages end it with
    /// [`PaginationError::PageLimit`]. The stream ends after its first error.
    ///
    /// ```no_run
    //@example paged
    /// {cfg}
    /// # async fn run(client: cloudflare_access_users::Client) -> Result<(), cloudflare_access_users::Error> {
    /// {setup}
    /// let mut items = {call}.auto_paging();
    /// while let Some(item) = items.try_next().await? {
    ///     println!("{item:?}");
    /// }
    /// # Ok(())
    /// # }
    //@else
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// use cloudflare_access_users::{Client, Request};
    /// let client = Client::from_env()?;
    /// let mut things = Request::<Vec<serde_json::Value>>::new(&client, reqwest::Method::GET, "/things", "/things".into())
    ///     .query("per_page", &100)
    ///     .paginated("page", "per_page")
    ///     .auto_paging();
    /// while let Some(thing) = things.try_next().await? {
    ///     println!("{thing}");
    /// }
    /// # Ok(())
    /// # }
    //@end
    /// ```
    pub fn auto_paging(self) -> AutoPager<T> {
        let this = self.applied();
        let Request {
            client,
            mut parts,
            error,
            ..
        } = this.request;
        let mut strategy = this.paging.strategy();
        strategy.start(&mut parts);
        AutoPager {
            client: client.clone(),
            parts,
            strategy,
            items_path: this.items,
            max_pages: this.max_pages,
            pages_fetched: 0,
            items: Vec::new().into_iter(),
            fetch: None,
            last_fingerprint: None,
            done: error.is_some(),
            pending_error: error,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static, P: Params> IntoFuture for PageRequest<'_, T, P> {
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
    /// How the next page is asked for (the one per-style part).
    strategy: Box<dyn Strategy>,
    /// Where the list is in a page's body.
    items_path: &'static [&'static str],
    max_pages: u64,
    pages_fetched: u64,
    items: std::vec::IntoIter<T>,
    fetch: Option<FetchFuture>,
    /// Hash and length of the previous page's raw list.
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
            .field("strategy", &self.strategy)
            .field("pages_fetched", &self.pages_fetched)
            .field("buffered", &self.items.len())
            .field("done", &self.done)
            .finish()
    }
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

    /// Decode a fetched page into `self.items` and let the strategy decide
    /// whether, and how, another page is fetched.
    fn accept_page(&mut self, raw: RawResponse) -> Result<(), Error> {
        let page = self.strategy.page().unwrap_or(self.pages_fetched);
        let Some(view) = read_page(&raw, self.parts.envelope, self.items_path)? else {
            self.done = true;
            return Ok(());
        };
        if view.items.is_empty() {
            self.done = true;
            return Ok(());
        }
        let mut hasher = DefaultHasher::new();
        hasher.write(view.list.as_bytes());
        let fingerprint = (hasher.finish(), view.list.len());
        if self.last_fingerprint == Some(fingerprint) {
            return Err(Error::Pagination(PaginationError::RepeatedPage { page }));
        }
        self.last_fingerprint = Some(fingerprint);
        let items = decode_items::<T>(&view, self.items_path, &raw.body)?;
        // The page's items come out before an error about what follows it.
        let more = self.strategy.advance(&view, &mut self.parts);
        self.items = items.into_iter();
        if !more? {
            self.done = true;
        }
        Ok(())
    }
}

/// One page as read, before its items are decoded: what every style looks at.
pub(crate) struct PageView<'a> {
    /// The whole body.
    body: &'a RawValue,
    /// The list's text.
    list: &'a str,
    /// The list's elements.
    items: Vec<&'a RawValue>,
    headers: &'a HeaderMap,
}

impl<'a> PageView<'a> {
    /// The value at `path` from the body's root, if every step is an object member.
    fn at(&self, path: &[&str]) -> Option<&'a RawValue> {
        path.iter().try_fold(self.body, |value, name| member(value, name))
    }

    /// The value at `path` as text: a non-empty string, or a number as written.
    fn text_at(&self, path: &[&str]) -> Option<String> {
        self.at(path).and_then(scalar_text)
    }
}

/// The member `name` of a JSON object (the last one, when it repeats).
fn member<'a>(value: &'a RawValue, name: &str) -> Option<&'a RawValue> {
    let text = value.get().trim_start();
    if !text.starts_with('{') {
        return None;
    }
    let map: HashMap<String, &'a RawValue> = serde_json::from_str(text).ok()?;
    map.get(name).copied()
}

/// A non-empty string, or a number as written; anything else is no value.
fn scalar_text(value: &RawValue) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(value.get()).ok()? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Read a page's body down to its list (non-generic: compiled once). `None`
/// for a page without one (a blank body, no list or `null`). An envelope
/// with `success: false` is the API error it carries.
fn read_page<'a>(
    raw: &'a RawResponse,
    envelope: bool,
    items_path: &[&str],
) -> Result<Option<PageView<'a>>, Error> {
    if raw.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let body: &RawValue = serde_json::from_slice(&raw.body).map_err(|_| {
        decode_error::<serde::de::IgnoredAny>(&raw.body, "", raw.body.clone())
    })?;
    let view = PageView {
        body,
        list: "",
        items: Vec::new(),
        headers: &raw.headers,
    };
    let unsuccessful = envelope && view.at(&["success"]).is_some_and(|v| v.get() == "false");
    if let Some(api) = unsuccessful.then(|| ApiError::from_unsuccessful(raw.status, &raw.headers, &raw.body)).flatten() {
        return Err(Error::Api(api));
    }
    let Some(list) = view.at(items_path).filter(|v| v.get() != "null") else {
        return Ok(None);
    };
    let items: Vec<&RawValue> = serde_json::from_str(list.get()).map_err(|_| {
        decode_error::<Vec<serde::de::IgnoredAny>>(
            list.get().as_bytes(),
            &items_path.join("."),
            raw.body.clone(),
        )
    })?;
    Ok(Some(PageView {
        list: list.get(),
        items,
        ..view
    }))
}

/// Decode a page's items, each from its own text.
fn decode_items<T: DeserializeOwned>(
    view: &PageView<'_>,
    items_path: &[&str],
    body: &Bytes,
) -> Result<Vec<T>, Error> {
    let mut out = Vec::with_capacity(view.items.len());
    for (i, item) in view.items.iter().enumerate() {
        match serde_json::from_str::<T>(item.get()) {
            Ok(value) => out.push(value),
            Err(_) => {
                let at = format!("{}[{i}]", items_path.join("."));
                return Err(decode_error::<T>(item.get().as_bytes(), &at, body.clone()));
            }
        }
    }
    Ok(out)
}

/// What differs between paging styles: how the first request is set up and
/// how the next one follows from a page. Each style is a few lines.
trait Strategy: fmt::Debug + Send + Sync {
    /// A copy, for a [`Page`] to carry to the page after it.
    fn boxed_clone(&self) -> Box<dyn Strategy>;
    /// Set up the first request (from the page, cursor or offset the caller
    /// put in the query).
    fn start(&mut self, _parts: &mut RequestParts) {}
    /// Given a page with items, set `parts` up for the next one; `false`
    /// when there is none.
    fn advance(&mut self, page: &PageView<'_>, parts: &mut RequestParts) -> Result<bool, Error>;
    /// The number of the page just fetched, for styles that count pages.
    fn page(&self) -> Option<u64> {
        None
    }
}

impl Paging {
    fn strategy(self) -> Box<dyn Strategy> {
        match self {
            Paging::PageNumber { page, per_page } => Box::new(PageNumbers {
                param: page,
                per_page_param: per_page,
                per_page: None,
                page: 1,
            }),
            Paging::Cursor { param, next } => Box::new(Cursors {
                param,
                next: Next::Body(next),
                seen: Seen::default(),
            }),
            Paging::HasMore {
                param,
                has_more,
                id,
            } => Box::new(Cursors {
                param,
                next: Next::LastId { has_more, id },
                seen: Seen::default(),
            }),
            Paging::OffsetLimit {
                offset,
                limit,
                total,
            } => Box::new(Offsets {
                param: offset,
                limit_param: limit,
                limit: None,
                total,
                offset: 0,
            }),
            Paging::LinkHeader => Box::new(Links {
                seen: Seen::default(),
            }),
            //@if next-link
            Paging::NextLink { next } => Box::new(BodyLinks {
                next,
                seen: Seen::default(),
            }),
            //@end
        }
    }
}

/// Set query parameter `name` to `value`, replacing every earlier value.
fn set_query(parts: &mut RequestParts, name: &str, value: String) {
    parts.query.retain(|(k, _)| k != name);
    parts.query.push((name.to_owned(), value));
}

/// The value the caller gave query parameter `name`, as a number.
fn query_number(parts: &RequestParts, name: &str) -> Option<u64> {
    parts
        .query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.trim().parse().ok())
}

/// Hashes of the cursors or links already followed: one seen twice means the
/// server is going round in circles.
#[derive(Debug, Default, Clone)]
struct Seen(HashSet<(u64, usize)>);

impl Seen {
    fn first_time(&mut self, value: &str) -> bool {
        let mut hasher = DefaultHasher::new();
        hasher.write(value.as_bytes());
        self.0.insert((hasher.finish(), value.len()))
    }
}

#[derive(Debug, Clone)]
struct PageNumbers {
    param: &'static str,
    per_page_param: &'static str,
    /// The page size the caller asked for, if any.
    per_page: Option<u64>,
    /// The page being fetched.
    page: u64,
}

impl Strategy for PageNumbers {
    fn boxed_clone(&self) -> Box<dyn Strategy> {
        Box::new(self.clone())
    }

    fn start(&mut self, parts: &mut RequestParts) {
        self.page = query_number(parts, self.param).unwrap_or(1);
        self.per_page = query_number(parts, self.per_page_param).filter(|n| *n > 0);
        set_query(parts, self.param, self.page.to_string());
    }

    fn advance(&mut self, page: &PageView<'_>, parts: &mut RequestParts) -> Result<bool, Error> {
        let info: ResultInfo = page
            .at(&["result_info"])
            .and_then(|v| serde_json::from_str(v.get()).ok())
            .unwrap_or_default();
        let per_page = self.per_page.or(info.per_page).filter(|n| *n > 0);
        let short_page = per_page.is_some_and(|n| (page.items.len() as u64) < n);
        let last_page = info.total_pages.is_some_and(|total| self.page >= total);
        match self.page.checked_add(1) {
            Some(next) if !short_page && !last_page => {
                self.page = next;
                set_query(parts, self.param, next.to_string());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn page(&self) -> Option<u64> {
        Some(self.page)
    }
}

/// Where the next cursor comes from.
#[derive(Debug, Clone)]
enum Next {
    /// A value in the body.
    Body(&'static [&'static str]),
    /// The last item's id, while the body's flag says there is more.
    LastId {
        has_more: &'static [&'static str],
        id: &'static str,
    },
}

#[derive(Debug, Clone)]
struct Cursors {
    param: &'static str,
    next: Next,
    seen: Seen,
}

impl Strategy for Cursors {
    fn boxed_clone(&self) -> Box<dyn Strategy> {
        Box::new(self.clone())
    }

    fn advance(&mut self, page: &PageView<'_>, parts: &mut RequestParts) -> Result<bool, Error> {
        let cursor = match self.next {
            Next::Body(path) => page.text_at(path),
            Next::LastId { has_more, id } => match page.at(has_more).map(RawValue::get) {
                Some("true") => page.items.last().and_then(|last| member(last, id)).and_then(scalar_text),
                _ => None,
            },
        };
        let Some(cursor) = cursor else { return Ok(false) };
        if !self.seen.first_time(&cursor) {
            return Err(Error::Pagination(PaginationError::RepeatedCursor {
                param: self.param,
            }));
        }
        set_query(parts, self.param, cursor);
        Ok(true)
    }
}

#[derive(Debug, Clone)]
struct Offsets {
    param: &'static str,
    limit_param: &'static str,
    /// The page size the caller asked for, if any.
    limit: Option<u64>,
    total: Option<&'static [&'static str]>,
    offset: u64,
}

impl Strategy for Offsets {
    fn boxed_clone(&self) -> Box<dyn Strategy> {
        Box::new(self.clone())
    }

    fn start(&mut self, parts: &mut RequestParts) {
        self.offset = query_number(parts, self.param).unwrap_or(0);
        self.limit = query_number(parts, self.limit_param).filter(|n| *n > 0);
    }

    fn advance(&mut self, page: &PageView<'_>, parts: &mut RequestParts) -> Result<bool, Error> {
        let received = page.items.len() as u64;
        let short_page = self.limit.is_some_and(|n| received < n);
        let Some(next) = self.offset.checked_add(received) else { return Ok(false) };
        let total = self
            .total
            .and_then(|path| page.text_at(path))
            .and_then(|t| t.parse::<u64>().ok());
        if short_page || total.is_some_and(|total| next >= total) {
            return Ok(false);
        }
        self.offset = next;
        set_query(parts, self.param, next.to_string());
        Ok(true)
    }
}

#[derive(Debug, Clone)]
struct Links {
    seen: Seen,
}

impl Strategy for Links {
    fn boxed_clone(&self) -> Box<dyn Strategy> {
        Box::new(self.clone())
    }

    fn advance(&mut self, page: &PageView<'_>, parts: &mut RequestParts) -> Result<bool, Error> {
        let next = page
            .headers
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(next_link);
        let Some(next) = next else { return Ok(false) };
        if !self.seen.first_time(next) {
            return Err(Error::Pagination(PaginationError::RepeatedCursor { param: "Link" }));
        }
        // `execute` resolves it against the base URL and refuses another origin.
        parts.next_url = Some(next.to_owned());
        Ok(true)
    }
}

//@if next-link
#[derive(Debug, Clone)]
struct BodyLinks {
    next: &'static [&'static str],
    seen: Seen,
}

impl Strategy for BodyLinks {
    fn boxed_clone(&self) -> Box<dyn Strategy> {
        Box::new(self.clone())
    }

    fn advance(&mut self, page: &PageView<'_>, parts: &mut RequestParts) -> Result<bool, Error> {
        let Some(next) = page.text_at(self.next) else { return Ok(false) };
        if !self.seen.first_time(&next) {
            return Err(Error::Pagination(PaginationError::RepeatedCursor { param: "next" }));
        }
        // `execute` resolves it against the base URL and refuses another origin.
        parts.next_url = Some(next);
        Ok(true)
    }
}

//@end
/// The target of the first `rel="next"` link of an RFC 8288 `Link` header value.
fn next_link(header: &str) -> Option<&str> {
    let mut rest = header;
    loop {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let target = &rest[start + 1..end];
        let after = &rest[end + 1..];
        // The link's parameters run to the next link (a `<` after a comma).
        let params_end = after.find(",").map_or(after.len(), |c| c);
        let params = &after[..params_end];
        let is_next = params.split(';').any(|param| {
            let Some((name, value)) = param.split_once('=') else { return false };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.trim());
        }
        rest = &after[params_end..];
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
        assert_eq!(info.cursor.as_deref(), Some("x"));
        let info: ResultInfo = serde_json::from_str(r#"{"cursor":{"after":"y"}}"#).unwrap();
        assert_eq!(info.cursor, None);
    }

    #[test]
    fn the_next_link_is_found_among_others() {
        let header = r#"<https://api.example.com/items?page=1>; rel="prev first", <https://api.example.com/items?page=3>; rel="next", <https://x/last>; rel=last"#;
        assert_eq!(next_link(header), Some("https://api.example.com/items?page=3"));
        assert_eq!(next_link(r#"</items?page=2>; REL=Next"#), Some("/items?page=2"));
        assert_eq!(next_link(r#"<https://x/a>; rel="last""#), None);
        assert_eq!(next_link("garbage <unclosed"), None);
        assert_eq!(next_link(""), None);
    }
}
