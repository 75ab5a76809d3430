//! The API client: credentials, base URL and servers, timeouts, retry
//! policy, response size limit and the underlying HTTP connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, USER_AGENT};

use crate::auth::Auth;
use crate::credentials::Credentials;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::server::ServerChoice;

/// Default per-attempt timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A client for the API. Cheap to clone: clones share the connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), cloudflare_access_users::Error> {
/// use cloudflare_access_users::Client;
/// let client = Client::from_env()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    /// Base URL without trailing slash.
    pub(crate) base_url: String,
    /// The URL of each server operations declare for themselves
    /// (`servers::OPERATION_SERVERS`), or why it cannot be made; empty when
    /// the base URL is the user's own, which then every request goes to.
    pub(crate) operation_urls: Vec<Result<reqwest::Url, String>>,
    /// `base_url` parsed once, which each request's URL is built on and held
    /// to; `None` when it is not a URL (`deferred_error` says so).
    pub(crate) base: Option<reqwest::Url>,
    /// Headers sent with every request: user agent, accept, defaults.
    pub(crate) headers: HeaderMap,
    /// The credentials held, per security scheme; each request sends those of
    /// the first alternative of its operation that they meet.
    pub(crate) credentials: Credentials,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    /// Largest success body read; error bodies are capped lower.
    pub(crate) max_response_bytes: u64,
    /// Header carrying an idempotency key on POST and PATCH, if any.
    pub(crate) idempotency_header: Option<HeaderName>,
    auth_kinds: Vec<&'static str>,
    /// A configuration problem found by [`Client::new`], reported on send.
    pub(crate) deferred_error: Option<String>,
}

impl Client {
    /// A client with the given credentials and default settings.
    ///
    /// Invalid credentials (e.g. containing a newline) are reported as
    /// [`Error::Config`] when a request is sent; use [`Client::builder`] to get
    /// the error up front.
    ///
    /// # Panics
    ///
    /// If the TLS backend cannot be initialised, like `reqwest::Client::new`.
    ///
    /// ```no_run
    /// # fn example(auth: cloudflare_access_users::Auth) {
    /// let client = cloudflare_access_users::Client::new(auth);
    /// # let _ = client;
    /// # }
    /// ```
    pub fn new(auth: Auth) -> Client {
        let builder = ClientBuilder {
            auth: vec![auth],
            ..ClientBuilder::default()
        };
        let (inner, problem) = builder.assemble();
        let mut inner = inner.expect("failed to initialise the HTTP client");
        inner.deferred_error = problem;
        Client {
            inner: Arc::new(inner),
        }
    }

    /// A client configured from the environment: the credentials of the first
    /// way to authenticate whose variables are set (see [`Auth`] for the
    /// variables of each), and the base URL from the `…_BASE_URL` variable
    /// when set (both listed in the crate's README). Without that variable
    /// the base URL is the document's first server, and an API whose document
    /// gives none with a host fails here naming the variable.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), cloudflare_access_users::Error> {
    /// let client = cloudflare_access_users::Client::from_env()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        Client::builder().with_env()?.build()
    }

    /// A [`ClientBuilder`] with default settings and no credentials.
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = cloudflare_access_users::Client::builder()
    ///     .base_url("https://api.example.com/v1")
    ///     .timeout(Duration::from_secs(10))
    ///     .max_retries(4)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests are sent to (without trailing slash), exactly as
    /// configured (credentials in it are shown; `Debug` and errors hide them).
    /// Operations whose document names a server of their own go there instead,
    /// unless this base URL is one the client was given.
    ///
    /// ```
    /// let client = cloudflare_access_users::Client::builder()
    ///     .base_url("http://127.0.0.1:8080/v1/")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080/v1");
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &redact_url(&i.base_url))
            .field(
                "auth",
                &i.auth_kinds
                    .iter()
                    .map(|k| format!("{k}(<redacted>)"))
                    .collect::<Vec<_>>(),
            )
            .field("timeout", &i.timeout)
            .field("max_retries", &i.retry.max_retries)
            .field("initial_backoff", &i.retry.initial_backoff)
            .field("max_backoff", &i.retry.max_backoff)
            .field("max_retry_after", &i.retry.max_retry_after)
            .field("max_response_bytes", &i.max_response_bytes)
            .field("idempotency_header", &i.idempotency_header)
            .field("headers", &RedactedHeaders(&i.headers))
            .finish()
    }
}

/// Whether a header's name says it carries a secret, so its value is marked
/// sensitive and never shown by `Debug`: `authorization`,
/// `proxy-authorization`, `cookie`, `set-cookie`, and every name containing
/// `key`, `token`, `secret`, `password`, `auth`, `session`, `signature` or
/// `credential`.
pub(crate) fn is_secret_header(name: &HeaderName) -> bool {
    const PARTS: [&str; 8] = [
        "key",
        "token",
        "secret",
        "password",
        "auth",
        "session",
        "signature",
        "credential",
    ];
    let name = name.as_str();
    matches!(name, "cookie" | "set-cookie") || PARTS.iter().any(|p| name.contains(p))
}

/// `url` as errors and `Debug` may show it: userinfo (user and password: a
/// token is often passed as the user) and the query and fragment replaced by
/// `<redacted>` (`https://<redacted>@host/v4?<redacted>`). Anything else is
/// never quoted, since where a secret in it ends cannot be known (a password
/// with a `/` makes the URL fail to parse; `https://to/ken@host` parses with
/// host `to`; `user:password` parses with scheme `user`): only `http` or
/// `https`, if it starts so, and why it is not shown.
pub(crate) fn redact_url(url: &str) -> String {
    let problem = match reqwest::Url::parse(url) {
        Ok(u) if !matches!(u.scheme(), "http" | "https") => "not an http(s) URL".to_owned(),
        Ok(u) if u.username().is_empty() && u.password().is_none() && url.contains('@') => {
            "an `@` outside the userinfo".to_owned()
        }
        Ok(u) => return redact_parsed(&u),
        Err(e) => format!("does not parse: {e}"),
    };
    let scheme = ["http://", "https://"]
        .into_iter()
        .find(|s| url.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s)));
    format!("{}<not shown: {problem}>", scheme.unwrap_or(""))
}

/// An http(s) URL with its userinfo, query and fragment redacted.
fn redact_parsed(u: &reqwest::Url) -> String {
    let mut shown = format!("{}:", u.scheme());
    if let Some(host) = u.host_str() {
        shown.push_str("//");
        if !u.username().is_empty() || u.password().is_some() {
            shown.push_str("<redacted>@");
        }
        shown.push_str(host);
        if let Some(port) = u.port() {
            shown.push_str(&format!(":{port}"));
        }
    }
    shown.push_str(u.path());
    if u.query().is_some() {
        shown.push_str("?<redacted>");
    }
    if u.fragment().is_some() {
        shown.push_str("#<redacted>");
    }
    shown
}

/// Header map whose sensitive values are redacted in `Debug`.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| {
                let shown = if v.is_sensitive() {
                    "<redacted>"
                } else {
                    v.to_str().unwrap_or("<binary>")
                };
                (k.as_str(), shown)
            }))
            .finish()
    }
}

/// Builder for a [`Client`]; obtain one with [`Client::builder`].
///
/// Input errors are collected and reported by [`ClientBuilder::build`].
#[derive(Default)]
#[must_use = "call .build() to get a Client"]
pub struct ClientBuilder {
    auth: Vec<Auth>,
    base_url: Option<String>,
    server: ServerChoice,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    max_response_bytes: Option<u64>,
    idempotency_header: Option<String>,
    http_client_builder: Option<reqwest::ClientBuilder>,
    /// Name, value, and whether the value is secret.
    default_headers: Vec<(String, String, bool)>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("auth", &self.auth)
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("server", &self.server.index)
            .field("server_variables", &self.server.values)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("idempotency_header", &self.idempotency_header)
            .field("custom_http_client", &self.http_client_builder.is_some())
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(k, _, _)| k)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ClientBuilder {
    /// Add these credentials. A client may hold several: each request sends
    /// those of the first way to authenticate its operation accepts that the
    /// client holds, and none when it holds none of them. Credentials for the
    /// same security scheme given later replace earlier ones.
    ///
    /// ```no_run
    /// # fn example(auth: cloudflare_access_users::Auth) -> Result<(), cloudflare_access_users::Error> {
    /// let client = cloudflare_access_users::Client::builder().auth(auth).build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth.push(auth);
        self
    }

    /// Add credentials and the base URL from the environment (see
    /// [`Client::from_env`]). Fails if no credentials are set (unless the API
    /// makes them optional) or a way to authenticate is set only in part.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let client = cloudflare_access_users::Client::builder()
    ///     .with_env()?
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn with_env(self) -> Result<Self, Error> {
        self.with_env_from(|name| std::env::var(name).ok())
    }

    fn with_env_from(mut self, get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let optional = crate::auth::DEFAULT_SECURITY.iter().any(|alt| alt.is_empty());
        if let Some(auth) =
            crate::credentials::from_env(crate::auth::ENV, optional, &get).map_err(Error::Config)?
        {
            self.auth.push(auth);
        }
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        if let Some(url) = get(crate::ENV_BASE_URL) {
            self.base_url = Some(url.trim().to_owned());
        }
        Ok(self)
    }

    /// Send every request to this base URL: instead of the document's server
    /// (see [`SERVERS`](crate::SERVERS)) and instead of the servers some
    /// operations declare for themselves, so a mock server or proxy gets them
    /// all and credentials go to this origin only. It wins over
    /// [`ClientBuilder::server`] and [`ClientBuilder::server_variable`].
    ///
    /// ```
    /// let client = cloudflare_access_users::Client::builder()
    ///     .base_url("http://127.0.0.1:8080/client/v4/")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080/client/v4");
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Send requests to server `index` of [`SERVERS`](crate::SERVERS) (the
    /// API's document's list, in its order) instead of the first. Its URL
    /// is made with the values set by [`ClientBuilder::server_variable`] and
    /// the defaults for the rest; [`ClientBuilder::build`] fails when there is
    /// no such server or it has no host (a URL relative to wherever the
    /// document is served). A base URL given to the builder wins over it.
    ///
    /// ```
    /// let builder = cloudflare_access_users::Client::builder().server(0);
    /// # let _ = builder;
    /// ```
    pub fn server(mut self, index: usize) -> Self {
        self.server.index = Some(index);
        self
    }

    /// Set a variable of the server URLs (the `{name}` parts of
    /// [`SERVERS`](crate::SERVERS) and of the servers operations declare):
    /// every server URL that has it uses `value`, percent-encoded (all but
    /// `A-Z a-z 0-9 - . _ ~`) so it cannot change the URL's shape. To send to
    /// another host altogether, use [`ClientBuilder::base_url`].
    /// [`ClientBuilder::build`] fails for a name no server has, a value outside
    /// the variable's `enum`, and an empty, `.` or `..` value.
    ///
    /// ```
    /// let builder = cloudflare_access_users::Client::builder()
    ///     .server(0)
    ///     .server_variable("region", "eu");
    /// # let _ = builder;
    /// ```
    pub fn server_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.server.values.push((name.into(), value.into()));
        self
    }

    /// Timeout of each attempt, from connecting until the body is read
    /// (default 60 s).
    ///
    /// ```
    /// let builder = cloudflare_access_users::Client::builder()
    ///     .timeout(std::time::Duration::from_secs(5));
    /// # let _ = builder;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many times a failed request is retried (default 2, so at most 3
    /// attempts). 0 disables retries.
    ///
    /// ```
    /// let builder = cloudflare_access_users::Client::builder().max_retries(0);
    /// # let _ = builder;
    /// ```
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// Exponential backoff between retries: the first delay is `initial`, it
    /// doubles up to `max`, with jitter (defaults 0.5 s and 8 s). A server's
    /// `Retry-After` takes precedence.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = cloudflare_access_users::Client::builder()
    ///     .retry_backoff(Duration::from_millis(100), Duration::from_secs(2));
    /// # let _ = builder;
    /// ```
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.retry.initial_backoff = initial;
        self.retry.max_backoff = max.max(initial);
        self
    }

    /// Upper bound for a server-requested `Retry-After` delay (default 60 s).
    ///
    /// ```
    /// let builder = cloudflare_access_users::Client::builder()
    ///     .max_retry_after(std::time::Duration::from_secs(10));
    /// # let _ = builder;
    /// ```
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.retry.max_retry_after = max;
        self
    }

    /// Build the HTTP client from this `reqwest::ClientBuilder` (proxy, TLS,
    /// pool or connect settings of your own). Timeouts and retries of this
    /// builder still apply.
    ///
    /// Redirects are switched off on it, whatever it says
    /// (`redirect(Policy::none())` is applied last): a redirect could carry
    /// the credentials to another host (reqwest drops `Authorization` there
    /// but not an API key header or query parameter). A 3xx answer is returned as [`Error::Api`] with
    /// its status and `Location` header. reqwest's own retries are switched
    /// off too (`retry(reqwest::retry::never())`, applied last): they would
    /// resend a POST underneath this client's per-method policy; every retry
    /// is this client's. A ready-made `reqwest::Client` is not accepted
    /// because its redirect and retry policies cannot be checked.
    ///
    /// ```no_run
    /// let http = reqwest::Client::builder()
    ///     .proxy(reqwest::Proxy::https("http://proxy.internal:3128").unwrap())
    ///     .pool_max_idle_per_host(4);
    /// let client = cloudflare_access_users::Client::builder()
    ///     .http_client_builder(http)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http_client_builder = Some(builder);
        self
    }

    /// Largest response body read, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::DEFAULT_MAX_RESPONSE_BYTES),
    /// 64 MiB). A larger body ends the request with
    /// [`Error::ResponseTooLarge`] as soon as its `Content-Length` or the
    /// bytes read so far exceed the limit; what was read is dropped. Bodies of
    /// error statuses are limited to
    /// [`MAX_ERROR_BODY_BYTES`](crate::MAX_ERROR_BODY_BYTES) (1 MiB) or this
    /// limit, whichever is smaller. Override it per request with
    /// [`Request::max_response_bytes`](crate::Request::max_response_bytes).
    ///
    /// ```
    /// let builder = cloudflare_access_users::Client::builder()
    ///     .max_response_bytes(16 * 1024 * 1024);
    /// # let _ = builder;
    /// ```
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Send an idempotency key in this header on every POST and PATCH (the
    /// default comes from the generator's `idempotency_header` setting; this
    /// API has none unless set here). One random key is made per call and
    /// sent unchanged on each of its attempts, or the caller's own value if the
    /// request already has the header. Keyed POST/PATCH requests are then
    /// retried like GET, except after a 409; without a key they are retried
    /// only when the server cannot have acted on them (see the crate README).
    ///
    /// ```
    /// let client = cloudflare_access_users::Client::builder()
    ///     .base_url("https://api.example.com/v1")
    ///     .idempotency_header("Idempotency-Key")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn idempotency_header(mut self, name: impl Into<String>) -> Self {
        self.idempotency_header = Some(name.into());
        self
    }

    /// Add a header to every request (a later call with the same name wins).
    /// Its value is treated as a secret (never shown by `Debug`) when the name
    /// says so: `authorization`, `cookie`, or a name containing `key`,
    /// `token`, `secret`, `password`, `auth`, `session`, `signature` or
    /// `credential`. Use [`ClientBuilder::sensitive_header`] for other names.
    ///
    /// ```
    /// let builder = cloudflare_access_users::Client::builder()
    ///     .default_header("x-request-source", "billing-job");
    /// # let _ = builder;
    /// ```
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        self.default_headers
            .push((name.to_owned(), value.to_owned(), false));
        self
    }

    /// Add a header to every request whose value is a secret, whatever its
    /// name: `Debug` of the client and of requests shows `<redacted>`.
    ///
    /// ```
    /// let client = cloudflare_access_users::Client::builder()
    ///     .base_url("https://api.example.com/v1")
    ///     .sensitive_header("x-tenant-pass", "hunter2")
    ///     .build()?;
    /// assert!(!format!("{client:?}").contains("hunter2"));
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn sensitive_header(mut self, name: &str, value: &str) -> Self {
        self.default_headers
            .push((name.to_owned(), value.to_owned(), true));
        self
    }

    /// Build the client, or report the first invalid setting as
    /// [`Error::Config`]: among them no base URL (an API whose document gives
    /// no server with a host needs [`ClientBuilder::base_url`] or the
    /// `…_BASE_URL` environment variable) and a server or server variable
    /// the document does not allow.
    ///
    /// ```
    /// let err = cloudflare_access_users::Client::builder().base_url("not a url").build();
    /// assert!(err.is_err());
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        match self.assemble() {
            (Ok(inner), None) => Ok(Client {
                inner: Arc::new(inner),
            }),
            (Ok(_), Some(problem)) => Err(Error::Config(problem)),
            (Err(e), _) => Err(e),
        }
    }

    /// Build the client parts, collecting the first configuration problem
    /// instead of failing on it.
    fn assemble(self) -> (Result<ClientInner, Error>, Option<String>) {
        let mut problem: Option<String> = None;
        let mut note = |msg: String| {
            problem.get_or_insert(msg);
        };

        // A base URL given to the builder takes every request; one from the
        // document leaves operations with servers of their own to those.
        let (given, from_document) = match self.base_url {
            Some(url) => (Some(url), false),
            None => match self.server.base_url() {
                Ok(url) => (Some(url), true),
                Err(problem) => {
                    note(problem);
                    (None, false)
                }
            },
        };
        let mut base_url = given.unwrap_or_default().trim().to_owned();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        let base = match reqwest::Url::parse(&base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.query().is_none() => Some(u),
            _ => {
                note(format!(
                    "invalid base URL `{}` (expected http(s)://host[/path], without query)",
                    redact_url(&base_url)
                ));
                None
            }
        };
        let operation_urls = if from_document {
            self.server.operation_urls(&base_url)
        } else {
            Vec::new()
        };

        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        for (name, value, secret) in &self.default_headers {
            match (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                (Ok(n), Ok(mut v)) => {
                    v.set_sensitive(*secret || is_secret_header(&n));
                    headers.insert(n, v);
                }
                _ => note(format!("invalid default header `{name}`")),
            }
        }
        let auth_kinds: Vec<&'static str> = self.auth.iter().map(Auth::kind).collect();
        let (credentials, bad) = Credentials::new(
            crate::auth::SCHEMES,
            self.auth.into_iter().flat_map(Auth::secrets),
        );
        if let Some(msg) = bad {
            note(msg);
        }

        let idempotency_header = match self
            .idempotency_header
            .as_deref()
            .or(crate::IDEMPOTENCY_HEADER)
        {
            Some(name) => match HeaderName::from_bytes(name.trim().as_bytes()) {
                Ok(n) => Some(n),
                Err(_) => {
                    note(format!("invalid idempotency header name `{name}`"));
                    None
                }
            },
            None => None,
        };

        // Redirects and reqwest's own retries are off whatever builder was
        // given: applied last.
        let http = match self
            .http_client_builder
            .unwrap_or_default()
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                return (
                    Err(Error::Config(format!(
                        "cannot initialise the HTTP client: {e}"
                    ))),
                    problem,
                )
            }
        };

        let inner = ClientInner {
            http,
            base_url,
            operation_urls,
            base,
            headers,
            credentials,
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            retry: self.retry,
            max_response_bytes: self
                .max_response_bytes
                .unwrap_or(crate::DEFAULT_MAX_RESPONSE_BYTES),
            idempotency_header,
            auth_kinds,
            deferred_error: None,
        };
        (Ok(inner), problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_passwords_are_redacted() {
        for (url, shown) in [
            (
                "https://u:pw@h.example/v4",
                "https://<redacted>@h.example/v4",
            ),
            ("https://u:p@w@h.example", "https://<redacted>@h.example/"),
            ("https://TOKEN@h.example", "https://<redacted>@h.example/"),
            (
                "http://h.example:8080/v4?token=T#f",
                "http://h.example:8080/v4?<redacted>#<redacted>",
            ),
            (
                "https://u:pa/ss@h.example",
                "https://<not shown: does not parse: invalid port number>",
            ),
            (
                "https://u:p#ss@h.example",
                "https://<not shown: does not parse: invalid port number>",
            ),
            (
                "https://to/ken@h.example",
                "https://<not shown: an `@` outside the userinfo>",
            ),
            (
                "HTTPS://u:pw@exa mple",
                "https://<not shown: does not parse: invalid international domain name>",
            ),
            ("admin:hunter2", "<not shown: not an http(s) URL>"),
            ("é:pw@x", "<not shown: does not parse: relative URL without a base>"),
            ("https://h.example", "https://h.example/"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
        for name in [
            "authorization",
            "cookie",
            "x-api-key",
            "x-session-token",
            "x-auth-email",
        ] {
            assert!(is_secret_header(&HeaderName::from_static(name)), "{name}");
        }
        assert!(!is_secret_header(&HeaderName::from_static(
            "x-request-source"
        )));
    }
}
