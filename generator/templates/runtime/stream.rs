//! Responses read item by item as they arrive: JSON Lines and server-sent
//! events (copied only into crates with such a response).
//!
//! One non-generic reader ([`Frames`]) splits the body into lines, reads
//! the event-stream fields, keeps what it holds within the response size
//! limit and reconnects an event stream that ends; the typed streams
//! ([`ItemStream`], [`EventStream`]) only decode what it hands them.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::request::{
    decode_error, AsBytes, AsJson, AsText, ByteStream, Params, Request, RequestParts,
    ResponseFuture,
};

/// How long an event stream waits before it reconnects until the server
/// says otherwise with a `retry` field.
pub const DEFAULT_RECONNECT_DELAY: Duration = Duration::from_secs(3);

/// How many times in a row an event stream reconnects without receiving an
/// event in between, unless told otherwise
/// ([`EventRequest::max_reconnects`], [`StreamRequest::max_reconnects`]).
/// Only requests that are safe to repeat (GET, PUT, DELETE, …) reconnect
/// by default; a POST or PATCH stream does so only when told to.
pub const DEFAULT_MAX_RECONNECTS: u32 = 3;

/// The longest event name or ID a stream keeps, in bytes.
const MAX_EVENT_FIELD: usize = 1024;

/// The least wait before reconnecting an event stream, whatever `retry` says.
const MIN_RECONNECT_DELAY: Duration = Duration::from_millis(250);

const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// How a streamed response frames its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemFraming {
    /// One JSON value per line (JSON Lines, NDJSON; a leading record
    /// separator, as JSON text sequences write, is skipped).
    JsonLines,
    /// Server-sent events: each event's `data` is one JSON value.
    EventStream,
}

/// A request whose success response is a stream of items: awaiting it
/// opens the response and gives an [`ItemStream`], a `futures_core::Stream`
/// of the items decoded as they arrive.
#[must_use = "a request does nothing until it is awaited"]
pub struct StreamRequest<'c, T> {
    request: Request<'c, Bytes, AsBytes>,
    framing: ItemFraming,
    reconnects: Option<u32>,
    item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for StreamRequest<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamRequest")
            .field("request", &self.request)
            .field("framing", &self.framing)
            .finish_non_exhaustive()
    }
}

/// A request whose success response is a stream of server-sent events
/// (`text/event-stream`): awaiting it opens the response and gives an
/// [`EventStream`] of [`Event`]s whose `data` is decoded as `T`.
#[must_use = "a request does nothing until it is awaited"]
pub struct EventRequest<'c, T> {
    request: Request<'c, Bytes, AsBytes>,
    reconnects: Option<u32>,
    decode: fn(&[u8]) -> Result<T, Error>,
}

impl<T> fmt::Debug for EventRequest<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventRequest")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

mod sealed {
    pub trait Sealed {}
}

impl sealed::Sealed for AsJson {}
impl sealed::Sealed for AsText {}

/// How an event's `data` becomes a `T`: as JSON ([`AsJson`]) or as the text
/// it is ([`AsText`], for `String`).
pub trait EventData<T>: sealed::Sealed {
    #[doc(hidden)]
    fn decode(data: &[u8]) -> Result<T, Error>;
}

impl<T: DeserializeOwned> EventData<T> for AsJson {
    fn decode(data: &[u8]) -> Result<T, Error> {
        decode_json(data)
    }
}

impl EventData<String> for AsText {
    fn decode(data: &[u8]) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(data).into_owned())
    }
}

fn decode_json<T: DeserializeOwned>(text: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(text)
        .map_err(|_| decode_error::<T>(text, "", Bytes::copy_from_slice(text)))
}

impl<'c, P: Params> Request<'c, Bytes, AsBytes, P> {
    /// Read the success response as a stream of items of type `T`. The parameters set so far
    /// are put on the request here: set them before.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// # let client = cloudflare_access_users::Client::from_env()?;
    /// use cloudflare_access_users::ItemFraming;
    /// let req = cloudflare_access_users::Request::<()>::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let mut items = req.returning_bytes().items::<serde_json::Value>(ItemFraming::JsonLines).await?;
    /// while let Some(item) = items.try_next().await? {
    ///     println!("{item}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn items<T>(self, framing: ItemFraming) -> StreamRequest<'c, T> {
        StreamRequest {
            request: self.applied(),
            framing,
            reconnects: None,
            item: PhantomData,
        }
    }

    /// Read the success response as server-sent events whose `data` is a
    /// `T`, decoded as `D` says ([`AsJson`], or [`AsText`] for a `String`).
    /// The parameters set so far are put on the request here: set them before.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// # let client = cloudflare_access_users::Client::from_env()?;
    /// use cloudflare_access_users::AsText;
    /// let req = cloudflare_access_users::Request::<()>::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let mut events = req.returning_bytes().events::<String, AsText>().await?;
    /// while let Some(event) = events.try_next().await? {
    ///     println!("{}: {}", event.event, event.data);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn events<T, D: EventData<T>>(self) -> EventRequest<'c, T> {
        EventRequest {
            request: self.applied(),
            reconnects: None,
            decode: D::decode,
        }
    }
}

impl<'c, T> StreamRequest<'c, T> {
    /// The request as one that reads the whole body as bytes, to change it
    /// further or to read the stream undecoded.
    pub fn into_bytes(self) -> Request<'c, Bytes, AsBytes> {
        self.request
    }

    /// How many times in a row a stream of server-sent events reconnects
    /// without an event in between (default [`DEFAULT_MAX_RECONNECTS`] for
    /// requests safe to repeat, else 0). JSON Lines never reconnect.
    pub fn max_reconnects(mut self, n: u32) -> Self {
        self.reconnects = Some(n);
        self
    }

    /// How long one connection may last, its whole body included (default:
    /// the client's timeout). A long-lived stream wants more: a connection that
    /// reaches it fails as a broken one does.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request.parts.timeout = Some(timeout);
        self
    }
}

impl<'c, T> EventRequest<'c, T> {
    /// The request as one that reads the whole body as bytes, to change it
    /// further or to read the stream undecoded.
    pub fn into_bytes(self) -> Request<'c, Bytes, AsBytes> {
        self.request
    }

    /// How many times in a row the stream reconnects without an event in
    /// between (default [`DEFAULT_MAX_RECONNECTS`] for requests safe to
    /// repeat, else 0).
    pub fn max_reconnects(mut self, n: u32) -> Self {
        self.reconnects = Some(n);
        self
    }

    /// How long one connection may last, its whole body included (default:
    /// the client's timeout). A long-lived stream wants more: a connection that
    /// reaches it ends as a broken one does, and is reconnected if it may be.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request.parts.timeout = Some(timeout);
        self
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for StreamRequest<'_, T> {
    type Output = Result<ItemStream<T>, Error>;
    type IntoFuture = ResponseFuture<ItemStream<T>>;

    fn into_future(self) -> Self::IntoFuture {
        let opening = Frames::open(self.request, self.framing, self.reconnects);
        Box::pin(async move {
            Ok(ItemStream {
                frames: opening.await?,
                decode: decode_json::<T>,
            })
        })
    }
}

impl<T: Send + 'static> IntoFuture for EventRequest<'_, T> {
    type Output = Result<EventStream<T>, Error>;
    type IntoFuture = ResponseFuture<EventStream<T>>;

    fn into_future(self) -> Self::IntoFuture {
        let opening = Frames::open(self.request, ItemFraming::EventStream, self.reconnects);
        let decode = self.decode;
        Box::pin(async move {
            Ok(EventStream {
                frames: opening.await?,
                decode,
            })
        })
    }
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event<T> {
    /// The event's type: its `event` field, `"message"` when it has none.
    pub event: String,
    /// Its `data` lines (joined by line breaks), decoded.
    pub data: T,
    /// The last event ID when it arrived: its own `id` field, else the one
    /// an earlier event set (what the stream sends as `Last-Event-ID` when it
    /// reconnects); `None` when empty.
    pub id: Option<String>,
    /// The reconnection delay its `retry` field asked for, if it had one.
    pub retry: Option<Duration>,
}

/// The items of a streamed response, decoded one at a time: a
/// `futures_core::Stream` (use `futures::StreamExt`/`TryStreamExt`), or
/// call [`ItemStream::try_next`].
///
/// One item (a line, or an event's data) larger than the response size
/// limit is an [`Error::ResponseTooLarge`], and the stream never holds more
/// than that limit; the stream as a whole has no limit. An item that does not
/// decode is an [`Error::Decode`] and the stream goes on; any other error
/// ends it. A stream of server-sent events reconnects as [`EventStream`] does.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    frames: Frames,
    decode: fn(&[u8]) -> Result<T, Error>,
}

/// The events of a `text/event-stream` response, read as the WHATWG HTML
/// standard says (`data` lines joined by line breaks; comments and unknown
/// fields ignored; CRLF, CR or LF line ends; a byte order mark at the start
/// skipped; an event the body ends inside of dropped) and decoded one at a
/// time: a `futures_core::Stream`, or call [`EventStream::try_next`].
///
/// When the connection ends or fails after a success response (not when
/// the server answers a reconnect with an error status, nor after `204 No
/// Content`), the stream waits for the last `retry` the server gave
/// ([`DEFAULT_RECONNECT_DELAY`] before any, at most the client's
/// `max_retry_after`, jittered as retries are) and sends the same request
/// again, to the same URL with the same credentials, with `Last-Event-ID`
/// set to the last event ID. It gives up after
/// [`EventRequest::max_reconnects`] reconnects in a row without an event.
/// The timeout bounds each connection, body included
/// ([`EventRequest::timeout`]): one that reaches it is reconnected too.
///
/// One event larger than the response size limit is an
/// [`Error::ResponseTooLarge`], and the stream never holds more than that
/// limit. An event whose data does not decode is an [`Error::Decode`] and the
/// stream goes on; any other error ends it.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<T> {
    frames: Frames,
    decode: fn(&[u8]) -> Result<T, Error>,
}

impl<T> fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream")
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl<T> ItemStream<T> {
    /// The HTTP status of the connection open now.
    pub fn status(&self) -> StatusCode {
        self.frames.status
    }

    /// The response headers of the connection open now.
    pub fn headers(&self) -> &HeaderMap {
        &self.frames.headers
    }

    /// The next item, `None` at the end of the stream.
    pub async fn try_next(&mut self) -> Result<Option<T>, Error> {
        std::future::poll_fn(|cx| self.poll_item(cx))
            .await
            .transpose()
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        let decode = self.decode;
        self.frames
            .poll_frame(cx)
            .map(|frame| frame.map(|f| f.and_then(|f| decode(&f.data))))
    }
}

impl<T> EventStream<T> {
    /// The HTTP status of the connection open now.
    pub fn status(&self) -> StatusCode {
        self.frames.status
    }

    /// The response headers of the connection open now.
    pub fn headers(&self) -> &HeaderMap {
        &self.frames.headers
    }

    /// The next event, `None` at the end of the stream.
    pub async fn try_next(&mut self) -> Result<Option<Event<T>>, Error> {
        std::future::poll_fn(|cx| self.poll_event(cx))
            .await
            .transpose()
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Event<T>, Error>>> {
        let decode = self.decode;
        self.frames.poll_frame(cx).map(|frame| {
            frame.map(|f| {
                let f = f?;
                Ok(Event {
                    data: decode(&f.data)?,
                    event: f.event,
                    id: f.id,
                    retry: f.retry,
                })
            })
        })
    }
}

impl<T> futures_core::Stream for ItemStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

impl<T> futures_core::FusedStream for ItemStream<T> {
    fn is_terminated(&self) -> bool {
        self.frames.is_terminated()
    }
}

impl<T> futures_core::Stream for EventStream<T> {
    type Item = Result<Event<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl<T> futures_core::FusedStream for EventStream<T> {
    fn is_terminated(&self) -> bool {
        self.frames.is_terminated()
    }
}

/// What the reader hands the typed streams: a JSON line (`data` only) or an
/// event.
struct Frame {
    data: Vec<u8>,
    event: String,
    id: Option<String>,
    retry: Option<Duration>,
}

/// What reading the connection gave.
enum Fill {
    Chunk(Bytes),
    /// A new connection is open; what the old one left unfinished is gone.
    Reconnected(StatusCode, HeaderMap),
    End,
}

type Filling = Pin<Box<dyn Future<Output = (Box<Source>, Result<Fill, Error>)> + Send>>;

enum State {
    /// Waiting to parse what is held, the connection at hand.
    Idle(Box<Source>),
    /// Reading (or reconnecting); the future gives the connection back.
    Filling(Filling),
    Done,
}

/// The connection and what reconnecting needs.
struct Source {
    client: Client,
    parts: RequestParts,
    body: ByteStream,
    /// Reconnect when the body ends (event streams only).
    reconnect: bool,
    max_reconnects: u32,
    /// Reconnects since the last event.
    in_a_row: u32,
    delay: Duration,
    /// The last event ID, sent as `Last-Event-ID`.
    last_id: String,
}

/// The non-generic reader of a streamed body.
pub(crate) struct Frames {
    framing: ItemFraming,
    limit: usize,
    status: StatusCode,
    headers: HeaderMap,
    /// The unread rest of the chunk at hand.
    chunk: Bytes,
    /// The start of a line whose end has not arrived.
    line: Vec<u8>,
    /// The last line ended with CR: an LF right after it ends nothing.
    after_cr: bool,
    /// No line of this connection has been read yet (a byte order mark may lead).
    at_start: bool,
    /// The event being read: its data lines, each followed by LF.
    data: Vec<u8>,
    event: String,
    /// An `id` field since the last event.
    id: Option<String>,
    retry: Option<Duration>,
    state: State,
}

impl fmt::Debug for Frames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frames")
            .field("framing", &self.framing)
            .field("status", &self.status)
            .field("done", &matches!(self.state, State::Done))
            .finish_non_exhaustive()
    }
}

impl Frames {
    /// Send `request` and open its success response.
    fn open(
        request: Request<'_, Bytes, AsBytes>,
        framing: ItemFraming,
        reconnects: Option<u32>,
    ) -> impl Future<Output = Result<Frames, Error>> + Send + 'static {
        let client = request.client.clone();
        let limit = request
            .parts
            .max_response_bytes
            .unwrap_or(client.inner.max_response_bytes);
        let safe = crate::retry::is_idempotent(&request.parts.method);
        let max_reconnects = reconnects.unwrap_or(if safe { DEFAULT_MAX_RECONNECTS } else { 0 });
        let (parts, error) = (request.parts, request.error);
        async move {
            if let Some(e) = error {
                return Err(e);
            }
            let body = ByteStream::open(&client, &parts).await?;
            let (status, headers) = (body.status(), body.headers().clone());
            let source = Source {
                client,
                parts,
                reconnect: framing == ItemFraming::EventStream && status != StatusCode::NO_CONTENT,
                body,
                max_reconnects,
                in_a_row: 0,
                delay: DEFAULT_RECONNECT_DELAY,
                last_id: String::new(),
            };
            Ok(Frames {
                framing,
                limit: usize::try_from(limit).unwrap_or(usize::MAX),
                status,
                headers,
                chunk: Bytes::new(),
                line: Vec::new(),
                after_cr: false,
                at_start: true,
                data: Vec::new(),
                event: String::new(),
                id: None,
                retry: None,
                state: State::Idle(Box::new(source)),
            })
        }
    }

    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Bytes held for the line and event being read, and the last event ID.
    fn held(&self, source: &Source) -> usize {
        self.line.len()
            + self.data.len()
            + self.event.len()
            + self.id.as_ref().map_or(0, String::len)
            + source.last_id.len()
    }

    fn too_large(&self) -> Error {
        Error::ResponseTooLarge {
            limit: self.limit as u64,
            status: self.status,
        }
    }

    fn poll_frame(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame, Error>>> {
        loop {
            match &mut self.state {
                State::Done => return Poll::Ready(None),
                State::Filling(filling) => {
                    let (source, result) = match filling.as_mut().poll(cx) {
                        Poll::Ready(done) => done,
                        Poll::Pending => return Poll::Pending,
                    };
                    self.state = State::Idle(source);
                    match result {
                        Ok(Fill::Chunk(chunk)) => self.chunk = chunk,
                        Ok(Fill::Reconnected(status, headers)) => {
                            (self.status, self.headers) = (status, headers);
                            self.restart();
                        }
                        Ok(Fill::End) => {
                            self.state = State::Done;
                            return Poll::Ready(self.last_line().transpose());
                        }
                        Err(e) => {
                            self.state = State::Done;
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                }
                State::Idle(_) => {
                    let State::Idle(mut source) = std::mem::replace(&mut self.state, State::Done)
                    else {
                        unreachable!("matched above")
                    };
                    match self.parse(&mut source) {
                        Ok(Some(frame)) => {
                            self.state = State::Idle(source);
                            return Poll::Ready(Some(Ok(frame)));
                        }
                        // Fatal: `state` stays `Done`.
                        Err(e) => return Poll::Ready(Some(Err(e))),
                        Ok(None) => self.state = State::Filling(Box::pin(source.fill())),
                    }
                }
            }
        }
    }

    /// A new connection: what the old one left unfinished is dropped.
    fn restart(&mut self) {
        self.chunk = Bytes::new();
        self.line = Vec::new();
        self.data = Vec::new();
        self.event.clear();
        self.id = None;
        self.retry = None;
        self.after_cr = false;
        self.at_start = true;
    }

    /// A JSON line the body ends without a line break still counts; an event
    /// the body ends inside of does not (as browsers read them).
    fn last_line(&mut self) -> Result<Option<Frame>, Error> {
        let line = std::mem::take(&mut self.line);
        if self.framing == ItemFraming::EventStream || line.is_empty() {
            return Ok(None);
        }
        Ok(self.json_line(&line))
    }

    /// The next frame from what is held, or `None` when more is needed.
    fn parse(&mut self, source: &mut Source) -> Result<Option<Frame>, Error> {
        while !self.chunk.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if self.chunk[0] == b'\n' {
                    let _ = self.chunk.split_to(1);
                    continue;
                }
            }
            let Some(end) = self.chunk.iter().position(|&b| b == b'\n' || b == b'\r') else {
                // The line goes on in the next chunk: hold it, within the limit.
                let rest = std::mem::take(&mut self.chunk);
                if self.held(source).saturating_add(rest.len()) > self.limit {
                    return Err(self.too_large());
                }
                extend_within(&mut self.line, &rest, self.limit);
                return Ok(None);
            };
            self.after_cr = self.chunk[end] == b'\r';
            let piece = self.chunk.split_to(end + 1);
            let piece = &piece[..end];
            if self.held(source).saturating_add(piece.len()) > self.limit {
                return Err(self.too_large());
            }
            let frame = if self.line.is_empty() {
                self.line_done(piece, source)?
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(piece);
                self.line_done(&line, source)?
            };
            if frame.is_some() {
                source.in_a_row = 0;
                return Ok(frame);
            }
        }
        Ok(None)
    }

    /// One line (its line break removed): a frame, or `None` when it
    /// completes none.
    fn line_done(&mut self, line: &[u8], source: &mut Source) -> Result<Option<Frame>, Error> {
        let mut line = line;
        if self.at_start {
            self.at_start = false;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        match self.framing {
            ItemFraming::JsonLines => Ok(self.json_line(line)),
            ItemFraming::EventStream => self.event_line(line, source),
        }
    }

    fn json_line(&self, line: &[u8]) -> Option<Frame> {
        let trimmed = line.trim_ascii_start();
        let text = trimmed.strip_prefix(b"\x1e").unwrap_or(trimmed);
        if text.trim_ascii().is_empty() {
            return None;
        }
        Some(Frame {
            data: text.to_vec(),
            event: String::new(),
            id: None,
            retry: None,
        })
    }

    fn event_line(&mut self, line: &[u8], source: &mut Source) -> Result<Option<Frame>, Error> {
        if line.is_empty() {
            return Ok(self.dispatch(source));
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(0) => return Ok(None),
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.held(source).saturating_add(value.len() + 1) > self.limit {
                    return Err(self.too_large());
                }
                extend_within(&mut self.data, value, self.limit);
                extend_within(&mut self.data, b"\n", self.limit);
            }
            // A name or ID longer than `MAX_EVENT_FIELD` is ignored: each event carries a
            // copy of the last ID, so one long one would be copied into every event after it.
            b"event" if value.len() <= MAX_EVENT_FIELD => self.event = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) && value.len() <= MAX_EVENT_FIELD => {
                self.id = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let ms = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(u64::MAX);
                let delay = Duration::from_millis(ms);
                self.retry = Some(delay);
                source.delay = delay;
            }
            _ => {}
        }
        Ok(None)
    }

    /// The end of an event (a blank line): it is handed on when it has data.
    fn dispatch(&mut self, source: &mut Source) -> Option<Frame> {
        if let Some(id) = self.id.take() {
            source.last_id = id;
        }
        let retry = self.retry.take();
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        Some(Frame {
            data,
            event: if event.is_empty() { "message".into() } else { event },
            id: Some(source.last_id.clone()).filter(|id| !id.is_empty()),
            retry,
        })
    }
}

/// Append `bytes` to `buf`, growing it by doubling but never past `limit`
/// (the caller has checked that `buf` and `bytes` fit in it).
fn extend_within(buf: &mut Vec<u8>, bytes: &[u8], limit: usize) {
    let need = buf.len() + bytes.len();
    if buf.capacity() < need {
        let want = buf.capacity().saturating_mul(2).clamp(need, limit.max(need));
        buf.reserve_exact(want - buf.len());
    }
    buf.extend_from_slice(bytes);
}

impl Source {
    async fn fill(mut self: Box<Self>) -> (Box<Self>, Result<Fill, Error>) {
        let result = self.next().await;
        (self, result)
    }

    /// The next chunk; at the end of an event stream's connection, a new one.
    async fn next(&mut self) -> Result<Fill, Error> {
        let mut failure = match self.body.chunk().await {
            Ok(Some(chunk)) => return Ok(Fill::Chunk(chunk)),
            Ok(None) => None,
            Err(e) => Some(e),
        };
        if !self.reconnect {
            return failure.map_or(Ok(Fill::End), Err);
        }
        loop {
            if self.in_a_row >= self.max_reconnects {
                return failure.map_or(Ok(Fill::End), Err);
            }
            self.in_a_row += 1;
            let cap = self.client.inner.retry.max_retry_after;
            // A floor, so a server that answers `retry: 0` and hangs up cannot make the
            // client reconnect in a tight loop.
            let delay = crate::retry::jittered(self.delay.min(cap).max(MIN_RECONNECT_DELAY.min(cap)));
            tracing::debug!(
                delay_ms = delay.as_millis() as u64,
                attempt = self.in_a_row,
                "reconnecting the event stream"
            );
            tokio::time::sleep(delay).await;
            self.parts.headers.remove(LAST_EVENT_ID);
            if !self.last_id.is_empty() {
                match HeaderValue::from_bytes(self.last_id.as_bytes()) {
                    Ok(v) => {
                        self.parts.headers.insert(LAST_EVENT_ID, v);
                    }
                    Err(_) => tracing::debug!("the last event ID cannot be a header; not sent"),
                }
            }
            match ByteStream::open(&self.client, &self.parts).await {
                Ok(body) if body.status() == StatusCode::NO_CONTENT => return Ok(Fill::End),
                Ok(body) => {
                    let (status, headers) = (body.status(), body.headers().clone());
                    self.body = body;
                    return Ok(Fill::Reconnected(status, headers));
                }
                Err(e @ Error::Transport { .. }) => failure = Some(e),
                Err(e) => return Err(e),
            }
        }
    }
}
