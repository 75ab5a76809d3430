//! Request bodies that are not JSON: uploads (bytes, or a file read when the
//! request is sent), `multipart/form-data`, `application/x-www-form-urlencoded`
//! and text. The generated methods choose the one the API's document names;
//! the same methods serve requests built by hand.
//!
//! Every body is complete in memory before the first attempt (a file is read
//! once), so a retry sends the same bytes again without reading anything twice.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use serde::Serialize;

use crate::error::Error;
use crate::request::{Payload, Request};

/// Bytes to upload: from memory, or from a file read when the request is
/// sent; with an optional file name and content type (a multipart part shows
/// both; a whole-body upload sends its content type).
///
/// ```
/// use cloudflare_access_users::Upload;
/// let logo = Upload::bytes(vec![0x89, b'P', b'N', b'G'])
///     .file_name("logo.png")
///     .content_type("image/png");
/// let script = Upload::path("dist/worker.js").content_type("application/javascript");
/// # let _ = (logo, script);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Upload {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Bytes(Bytes),
    Path(PathBuf),
}

impl Default for Source {
    fn default() -> Self {
        Source::Bytes(Bytes::new())
    }
}

impl Upload {
    /// Upload these bytes (a `Vec<u8>`, `Bytes`, `&'static [u8]`, `String`…),
    /// without copying them.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Upload {
            source: Source::Bytes(data.into()),
            ..Upload::default()
        }
    }

    /// Upload the file at `path`, read when the request is sent. Its file
    /// name is the path's last component unless [`Upload::file_name`] says
    /// otherwise.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        Upload {
            source: Source::Path(path),
            file_name,
            content_type: None,
        }
    }

    /// The file name a multipart part announces.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The content type sent with these bytes (instead of the one the API
    /// names, or `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The bytes, reading the file if it is one.
    async fn load(&self) -> Result<Bytes, Error> {
        match &self.source {
            Source::Bytes(b) => Ok(b.clone()),
            Source::Path(p) => tokio::fs::read(p).await.map(Bytes::from).map_err(|e| {
                Error::Config(format!("cannot read the upload {}: {e}", p.display()))
            }),
        }
    }
}

/// A `multipart/form-data` body, built part by part.
///
/// ```
/// use cloudflare_access_users::{Multipart, Upload};
/// let form = Multipart::new()
///     .text("name", "report")
///     .json("metadata", &serde_json::json!({"tags": ["q3"]}))
///     .file("file", &Upload::bytes("a,b\n1,2\n").file_name("r.csv").content_type("text/csv"));
/// # let _ = form;
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Multipart {
    parts: Vec<Part>,
    /// Why a part could not be made, reported when the request is sent.
    failed: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Part {
    name: String,
    value: PartValue,
    content_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum PartValue {
    Text(String),
    Upload(Upload),
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Multipart::default()
    }

    /// Add a text part (no `Content-Type`, which means `text/plain`).
    pub fn text(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.push(name, PartValue::Text(value.to_string()), None);
        self
    }

    /// Add a part holding `value` as JSON (`Content-Type: application/json`).
    pub fn json<V: Serialize + ?Sized>(mut self, name: &str, value: &V) -> Self {
        match serde_json::to_string(value) {
            Ok(text) => self.push(name, PartValue::Text(text), Some("application/json")),
            Err(e) => {
                let why = format!("the multipart part {name:?} cannot be serialized: {e}");
                self.failed.get_or_insert(why);
            }
        }
        self
    }

    /// Add a file part: the upload's bytes with its file name and content type
    /// (`application/octet-stream` when it names none).
    pub fn file(mut self, name: &str, upload: &Upload) -> Self {
        self.push(name, PartValue::Upload(upload.clone()), None);
        self
    }

    /// Set the `Content-Type` of the part added last (a file's own content
    /// type still wins).
    pub fn content_type(mut self, content_type: &str) -> Self {
        if let Some(last) = self.parts.last_mut() {
            last.content_type = Some(content_type.to_owned());
        }
        self
    }

    fn push(&mut self, name: &str, value: PartValue, content_type: Option<&str>) {
        self.parts.push(Part {
            name: name.to_owned(),
            value,
            content_type: content_type.map(str::to_owned),
        });
    }

    /// The encoded body, reading files.
    async fn encode(&self, boundary: &str) -> Result<Bytes, Error> {
        let mut out: Vec<u8> = Vec::new();
        for part in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let name = quoted(&part.name);
            let (data, file_name, content_type) = match &part.value {
                PartValue::Text(text) => (Bytes::from(text.clone()), None, part.content_type.clone()),
                PartValue::Upload(upload) => {
                    let content_type = upload
                        .content_type
                        .clone()
                        .or_else(|| part.content_type.clone())
                        .unwrap_or_else(|| "application/octet-stream".into());
                    (upload.load().await?, upload.file_name.as_deref(), Some(content_type))
                }
            };
            out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"").as_bytes());
            if let Some(file_name) = file_name {
                out.extend_from_slice(format!("; filename=\"{}\"", quoted(file_name)).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            if let Some(ct) = content_type {
                if ct.chars().any(|c| c.is_control()) {
                    return Err(Error::Config(format!(
                        "the content type of multipart part {:?} holds control characters",
                        part.name
                    )));
                }
                out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Ok(Bytes::from(out))
    }
}

/// A part or file name inside a quoted `Content-Disposition` parameter, as
/// browsers write it: `"`, CR and LF percent-encoded, so no name can end the
/// parameter or the header.
fn quoted(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A boundary no part is likely to contain: 32 random letters and digits.
fn new_boundary() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..32)
        .map(|_| CHARS[fastrand::usize(..CHARS.len())] as char)
        .collect()
}

/// `application/x-www-form-urlencoded` text of a JSON object: strings as
/// they are, numbers and booleans as written, `null` left out, an array as
/// one pair per element, an object as its JSON text.
fn form_encode(value: &serde_json::Value) -> Result<String, String> {
    use serde_json::Value;
    let serde_json::Value::Object(map) = value else {
        return Err("a form body must be an object".into());
    };
    let text = |v: &Value| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    let mut out = String::new();
    let mut pair = |k: &str, v: String| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&form_component(k));
        out.push('=');
        out.push_str(&form_component(&v));
    };
    for (k, v) in map {
        match v {
            Value::Array(items) => items.iter().filter_map(text).for_each(|t| pair(k, t)),
            other => {
                if let Some(t) = text(other) {
                    pair(k, t);
                }
            }
        }
    }
    Ok(out)
}

/// One name or value, encoded the way HTML forms are: `A-Z a-z 0-9 * - . _`
/// kept, space as `+`, every other byte as `%XX`.
fn form_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

impl<T, D, P> Request<'_, T, D, P> {
    fn content_type(&mut self, content_type: &str) {
        match HeaderValue::from_str(content_type) {
            Ok(v) => {
                self.parts.headers.insert(CONTENT_TYPE, v);
            }
            Err(_) => self.fail(Error::Config(format!(
                "invalid content type {content_type:?}"
            ))),
        }
    }

    /// Send `form` as `multipart/form-data`. Files are read when the request
    /// is sent.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::POST, "/x", "/x".into());
    /// use cloudflare_access_users::{Multipart, Upload};
    /// let req = req.multipart(Multipart::new().file("file", &Upload::bytes("hello")));
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn multipart(mut self, form: Multipart) -> Self {
        if let Some(why) = &form.failed {
            self.fail(Error::Config(why.clone()));
            return self;
        }
        let boundary = new_boundary();
        self.content_type(&format!("multipart/form-data; boundary={boundary}"));
        let form = Arc::new(form);
        self.parts.body = Some(Payload::Deferred(Arc::new(move || {
            let (form, boundary) = (form.clone(), boundary.clone());
            Box::pin(async move { form.encode(&boundary).await })
        })));
        self
    }

    /// Send `upload`'s bytes as the whole body, with its content type, else
    /// `content_type` (the one the API names).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::PUT, "/x", "/x".into());
    /// let req = req.upload(&cloudflare_access_users::Upload::path("backup.zip"), "application/zip");
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn upload(mut self, upload: &Upload, content_type: &str) -> Self {
        self.content_type(upload.content_type.as_deref().unwrap_or(content_type));
        self.parts.body = Some(match &upload.source {
            Source::Bytes(b) => Payload::Bytes(b.clone()),
            Source::Path(_) => {
                let upload = Arc::new(upload.clone());
                Payload::Deferred(Arc::new(move || {
                    let upload = upload.clone();
                    Box::pin(async move { upload.load().await })
                }))
            }
        });
        self
    }

    /// Send `text` as the body, as `content_type` (a `text/*` type; UTF-8).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::PUT, "/x", "/x".into());
    /// let req = req.text("hello", "text/plain");
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn text(mut self, text: &str, content_type: &str) -> Self {
        self.content_type(content_type);
        self.parts.body = Some(Payload::Bytes(Bytes::from(text.to_owned())));
        self
    }

    /// Send `body` (a struct or map) as `application/x-www-form-urlencoded`:
    /// each field a `name=value` pair, `None` fields left out, a list as one
    /// pair per item, a nested object as its JSON text.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::POST, "/x", "/x".into());
    /// let req = req.form(&serde_json::json!({"grant_type": "client_credentials"}));
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn form<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        let encoded = serde_json::to_value(body)
            .map_err(Error::Serialize)
            .and_then(|v| form_encode(&v).map_err(Error::Config));
        match encoded {
            Ok(text) => {
                self.content_type("application/x-www-form-urlencoded");
                self.parts.body = Some(Payload::Bytes(Bytes::from(text)));
            }
            Err(e) => self.fail(e),
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        let v = serde_json::json!({"a b": "x&y=z", "n": 1, "none": null, "l": ["p", 2], "o": {"k": 1}});
        assert_eq!(
            form_encode(&v).unwrap(),
            "a+b=x%26y%3Dz&l=p&l=2&n=1&o=%7B%22k%22%3A1%7D"
        );
    }

    #[test]
    fn names_cannot_break_headers() {
        assert_eq!(quoted("a\"b\r\nc"), "a%22b%0D%0Ac");
    }
}
