//! Retry policy: which failures are retried and how long to wait in between.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// Default number of retries after the first attempt (so at most 3 attempts);
/// see [`ClientBuilder::max_retries`](crate::ClientBuilder::max_retries).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default delay before the first retry; it doubles on each retry up to
/// [`DEFAULT_MAX_BACKOFF`] (see [`ClientBuilder::retry_backoff`](crate::ClientBuilder::retry_backoff)).
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Default largest delay between retries.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Default cap on a server-requested `Retry-After` delay (see
/// [`ClientBuilder::max_retry_after`](crate::ClientBuilder::max_retry_after)).
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Retry settings of a client, possibly overridden per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `retry` (0 for the first retry): the server's
    /// `Retry-After` if present (capped), otherwise exponential backoff with jitter.
    pub(crate) fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(d) = headers.and_then(|h| retry_after(h, SystemTime::now())) {
            return d.min(self.max_retry_after);
        }
        let base = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        jittered(base)
    }
}

/// Between 75% and 100% of `base`, so that clients told to wait alike do not
/// all come back at once.
pub(crate) fn jittered(base: Duration) -> Duration {
    base.mul_f64(1.0 - 0.25 * fastrand::f64())
}

/// How safe it is to send a request again after an attempt that may have
/// reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// GET, HEAD, PUT, DELETE, OPTIONS, TRACE: repeating them changes nothing
    /// more than the first attempt did.
    Idempotent,
    /// POST or PATCH carrying an idempotency key, the same on every attempt,
    /// so the server can recognise a repeat.
    Keyed,
    /// POST or PATCH without a key: sent again only when the server cannot
    /// have acted on it.
    Unsafe,
}

impl Replay {
    /// The replay class of `method`, given whether an idempotency key is sent.
    pub(crate) fn of(method: &Method, keyed: bool) -> Replay {
        if is_idempotent(method) {
            Replay::Idempotent
        } else if keyed {
            Replay::Keyed
        } else {
            Replay::Unsafe
        }
    }
}

/// Methods that RFC 9110 defines as idempotent.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Whether a non-success response should be retried.
///
/// Idempotent requests: 408, 409, 429 and 5xx. Keyed POST/PATCH: the same but
/// 409 (with a key, 409 usually means "this key is in use"). POST/PATCH
/// without a key: only answers that say the request was not acted on: 408,
/// 429, and 503 with `Retry-After`. `x-should-retry: false` from the server
/// always wins; `x-should-retry: true` wins for idempotent and keyed
/// requests only: it cannot make a POST/PATCH without a key be sent again
/// (the server could use it to make a create happen twice), nor any
/// POST/PATCH answered 409.
pub(crate) fn should_retry_response(
    status: StatusCode,
    headers: &HeaderMap,
    replay: Replay,
) -> bool {
    let code = status.as_u16();
    if code == 409 && replay != Replay::Idempotent {
        return false;
    }
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some(v) if v.trim().eq_ignore_ascii_case("true") && replay != Replay::Unsafe => {
            return true
        }
        Some(v) if v.trim().eq_ignore_ascii_case("false") => return false,
        _ => {}
    }
    match replay {
        Replay::Idempotent | Replay::Keyed => {
            matches!(code, 408 | 409 | 429) || status.is_server_error()
        }
        Replay::Unsafe => {
            matches!(code, 408 | 429)
                || (code == 503 && retry_after(headers, SystemTime::now()).is_some())
        }
    }
}

/// Whether a transport failure is worth retrying: connection failures,
/// timeouts, connections dropped before or while sending the response. A
/// POST/PATCH without a key is retried only when the connection could not be
/// opened, since otherwise the server may have acted on it.
pub(crate) fn should_retry_transport(err: &reqwest::Error, replay: Replay) -> bool {
    if err.is_builder() || err.is_redirect() || err.is_status() || err.is_decode() {
        return false;
    }
    replay != Replay::Unsafe || err.is_connect()
}

/// A fresh idempotency key: a random UUID (version 4) as text. It only has to
/// be unique, not secret.
pub(crate) fn new_idempotency_key() -> String {
    let n = fastrand::u128(..);
    // Version 4, RFC 4122 variant.
    let n = (n & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Parse `retry-after-ms` (milliseconds) or `Retry-After` (seconds or an HTTP date).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let ms = header_str(headers, "retry-after-ms").and_then(|v| v.parse::<f64>().ok());
    if let Some(ms) = ms.filter(|ms| ms.is_finite() && *ms >= 0.0) {
        return Some(Duration::from_secs_f64(ms.min(1e12) / 1000.0));
    }
    let value = header_str(headers, "retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "0.5")]), now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after-ms", "250"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_millis(250))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(10));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(10))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(10));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-1")]), now), None);
    }

    #[test]
    fn delay_caps_and_backs_off() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(0, Some(&headers(&[("retry-after", "3600")]))),
            Duration::from_secs(60)
        );
        for retry in 0..40 {
            let d = p.delay(retry, None);
            let nominal =
                (Duration::from_millis(500) * 2u32.pow(retry.min(20))).min(Duration::from_secs(8));
            assert!(
                d <= nominal && d >= nominal.mul_f64(0.75),
                "retry {retry}: {d:?}"
            );
        }
    }

    fn retried(status: u16, h: &HeaderMap, replay: Replay) -> bool {
        should_retry_response(StatusCode::from_u16(status).unwrap(), h, replay)
    }

    #[test]
    fn status_rules() {
        let none = HeaderMap::new();
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert!(retried(s, &none, Replay::Idempotent), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!retried(s, &none, Replay::Idempotent), "{s}");
        }
        assert!(!retried(
            503,
            &headers(&[("x-should-retry", "false")]),
            Replay::Idempotent
        ));
        assert!(retried(
            400,
            &headers(&[("x-should-retry", "true")]),
            Replay::Idempotent
        ));
    }

    #[test]
    fn post_and_patch_rules() {
        let none = HeaderMap::new();
        let later = headers(&[("retry-after", "1")]);
        // Without a key: only answers saying the request was not acted on.
        for s in [408, 429] {
            assert!(retried(s, &none, Replay::Unsafe), "{s}");
        }
        assert!(retried(503, &later, Replay::Unsafe));
        for s in [409, 500, 502, 503, 504] {
            assert!(!retried(s, &none, Replay::Unsafe), "{s}");
        }
        // With a key: like GET, except 409.
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(retried(s, &none, Replay::Keyed), "{s}");
        }
        let insist = headers(&[("x-should-retry", "true")]);
        for replay in [Replay::Keyed, Replay::Unsafe] {
            assert!(!retried(409, &none, replay));
            assert!(!retried(409, &insist, replay));
        }
        // The server cannot talk an unkeyed POST into being sent again...
        for s in [400, 500, 502, 503] {
            assert!(!retried(s, &insist, Replay::Unsafe), "{s}");
        }
        // ...beyond what its method allows, and can still stop a retry.
        assert!(retried(429, &insist, Replay::Unsafe));
        assert!(!retried(
            429,
            &headers(&[("x-should-retry", "false")]),
            Replay::Unsafe
        ));
        assert!(retried(500, &insist, Replay::Keyed));
        assert_eq!(Replay::of(&Method::POST, false), Replay::Unsafe);
        assert_eq!(Replay::of(&Method::PATCH, true), Replay::Keyed);
        for m in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            assert_eq!(Replay::of(&m, false), Replay::Idempotent, "{m}");
        }
    }

    #[test]
    fn idempotency_keys_are_uuids_and_differ() {
        let (a, b) = (new_idempotency_key(), new_idempotency_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }
}
