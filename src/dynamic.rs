//! Calling any operation by its operation id, with strings and JSON in and JSON out: for
//! tools that take the operation from their user (the `permkit` command line, scripts,
//! gateways) rather than from Rust code.
//!
//! `client.operation("list_users")?` returns an [`Operation`], a request builder like every
//! typed one: path values, query parameters, headers and a JSON body are set by name, and
//! `send()` returns a [`Pending`] call. It goes through the same transport as the typed
//! operations (credentials, retries and their policy, redirects, the call timeout, error
//! decoding into [`Error`] with any echoed credential removed, request counts, interceptors),
//! and the same paging engine: `.stream()`, `.pages()` and `.prefetch(n)` follow the API's
//! page rule (page numbers for Permission Assist and PERSCOM, `ia::meta.next` for Intacct's
//! query service), with the same guards against a server that repeats pages.
//!
//! What comes back is what the typed operation returns, as JSON: PERSCOM's `data` and
//! Intacct's `ia::result` unwrapped; a list's [`send_page`](Operation::send_page) is one
//! [`Page`] of JSON items; an empty answer (204) is `null`. Nothing is checked against the
//! spec before sending beyond what makes the URL (every path value present, each one URL
//! segment): the server's refusal comes back as the typed call's would. What the call could
//! not send is refused rather than dropped: a JSON body beside a multipart form, form fields
//! on an operation that takes no multipart body, a form or files on a list read page by page.
//!
//! The operations of an API are listed by its `Client::operations()` ([`OperationSpec`]),
//! generated from the same spec as the typed client.
//!
//! ```no_run
//! # #[cfg(feature = "perscom")]
//! # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
//! use futures::TryStreamExt;
//! let user = client.operation("get_user")?.path("user", "1").query("include", "rank").send().await?;
//! println!("{}", user["name"]);
//! let mut users = client.operation("list_users")?.query("limit", "100").prefetch(4).stream();
//! while let Some(user) = users.try_next().await? {
//!     println!("{}", user["name"]);
//! }
//! # Ok(()) }
//! ```

#[cfg(any(feature = "perscom", feature = "permission-assist"))]
use crate::pagination::ItemKey;
use crate::pagination::{self, Page, Repeats, ResultStream};
use crate::transport::{Call, Inner, Reply, call, decode_json};
use crate::upload::{FilePart, Progress};
use crate::{Error, ErrorKind, Pending, Response, Result};
use futures::FutureExt;
use serde_json::Value;
use std::fmt;

/// How an operation takes its request body.
///
/// ```
/// use permkit::dynamic::BodyKind;
/// assert_ne!(BodyKind::Json, BodyKind::Multipart);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// No request body.
    None,
    /// A JSON body ([`Operation::json_body`]).
    Json,
    /// A multipart form: fields and streamed files ([`Operation::form_field`],
    /// [`Operation::file`]).
    Multipart,
    /// A form-urlencoded body, given as a JSON object of strings ([`Operation::json_body`]).
    Form,
}

/// One operation of an API as its spec declares it: what `Client::operations()` lists.
///
/// ```
/// # #[cfg(feature = "permission-assist")] {
/// let op = permkit::permission_assist::Client::operations()
///     .iter()
///     .find(|op| op.id() == "list_identities")
///     .unwrap();
/// assert_eq!(op.method(), "GET");
/// assert!(op.is_list());
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationSpec {
    id: &'static str,
    method: &'static str,
    path: &'static str,
    list: bool,
    body: BodyKind,
}

impl OperationSpec {
    /// Made by the build script's table.
    pub(crate) const fn new(
        id: &'static str,
        method: &'static str,
        path: &'static str,
        list: bool,
        body: BodyKind,
    ) -> Self {
        OperationSpec {
            id,
            method,
            path,
            list,
            body,
        }
    }

    /// The spec's `operationId` (`list_users`), the name of the typed client's method.
    ///
    /// ```
    /// # #[cfg(feature = "intacct")]
    /// assert!(permkit::intacct::Client::operations().iter().any(|op| op.id() == "query"));
    /// ```
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The HTTP method, upper case.
    ///
    /// ```
    /// # #[cfg(feature = "intacct")] {
    /// let ops = permkit::intacct::Client::operations();
    /// assert_eq!(ops.iter().find(|o| o.id() == "get_role").unwrap().method(), "GET");
    /// assert_eq!(ops.iter().find(|o| o.id() == "query").unwrap().method(), "POST");
    /// # }
    /// ```
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The path template as the spec writes it (`/identities/{id}`; PERSCOM's start with
    /// `/{version}`, which the client fills in).
    ///
    /// ```
    /// # #[cfg(feature = "permission-assist")]
    /// assert!(permkit::permission_assist::Client::operations()[0].path().starts_with('/'));
    /// ```
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The names of the path's parameters, in URL order (`{version}` excluded).
    ///
    /// ```
    /// # #[cfg(feature = "perscom")] {
    /// let op = permkit::perscom::Client::operations().iter().find(|o| o.id() == "get_user").unwrap();
    /// assert_eq!(op.path_params(), ["user"]);
    /// # }
    /// ```
    pub fn path_params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .filter(|s| *s != "version")
            .collect()
    }

    /// Whether the operation returns a page of a list (its answer has `.stream()` and
    /// `.pages()`; in Intacct only the query service pages, through its body).
    ///
    /// ```
    /// # #[cfg(feature = "intacct")] {
    /// let ops = permkit::intacct::Client::operations();
    /// assert!(ops.iter().find(|o| o.id() == "query").unwrap().is_list());
    /// # }
    /// ```
    pub fn is_list(&self) -> bool {
        self.list
    }

    /// How the operation takes its body.
    ///
    /// ```
    /// # #[cfg(feature = "permission-assist")] {
    /// use permkit::dynamic::BodyKind;
    /// let ops = permkit::permission_assist::Client::operations();
    /// let upload = ops.iter().find(|o| o.id() == "upload_application_import").unwrap();
    /// assert_eq!(upload.body(), BodyKind::Multipart);
    /// # }
    /// ```
    pub fn body(&self) -> BodyKind {
        self.body
    }
}

/// How one API pages and wraps its answers, for the dynamic calls.
#[derive(Debug)]
pub(crate) struct Shape {
    /// The field holding a single resource's value (`data`, `ia::result`).
    pub(crate) unwrap: Option<&'static str>,
    /// A leading path segment the client fixes in its base URL (`/{version}`).
    pub(crate) base_path: Option<&'static str>,
    /// How the list operations page.
    pub(crate) paging: Paging,
}

/// A dynamic list's page rule.
#[derive(Debug)]
pub(crate) enum Paging {
    /// `?page=n`; the envelope's items, last page, total and current page (JSON pointers).
    /// (Permission Assist and PERSCOM.)
    #[cfg(any(feature = "perscom", feature = "permission-assist"))]
    Numbered {
        param: &'static str,
        items: &'static str,
        last: &'static str,
        total: &'static str,
        current: &'static str,
    },
    /// The body's `start` (and `size`, `default_size` unless given); the items, next offset
    /// and total as JSON pointers (Intacct's query service).
    #[cfg(feature = "intacct")]
    BodyOffset {
        items: &'static str,
        next: &'static str,
        total: &'static str,
        default_size: u64,
    },
}

/// What one client lends a dynamic call.
#[derive(Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) client: &'a reqwest::Client,
    pub(crate) inner: &'a Inner,
    /// The base URL (PERSCOM's with its version).
    pub(crate) base: &'a str,
    /// Where paths outside the base path go (PERSCOM's host).
    pub(crate) host: &'a str,
    pub(crate) shape: &'static Shape,
    pub(crate) operations: &'static [OperationSpec],
}

impl<'a> Target<'a> {
    /// The builder of operation `id`.
    pub(crate) fn operation(self, id: &str) -> Result<Operation<'a>> {
        let info = self
            .operations
            .iter()
            .find(|op| op.id == id)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidRequest,
                    format!("{} has no operation `{id}`", self.inner.api.as_str()),
                )
                .with_api(self.inner.api)
            })?;
        Ok(Operation {
            target: self,
            info,
            parts: Parts::default(),
            form: Vec::new(),
            files: Vec::new(),
            progress: None,
            ahead: 1,
        })
    }
}

/// The parts of a request that every page repeats.
#[derive(Debug, Clone, Default)]
struct Parts {
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

/// A call of one operation by its id, from an API client's `operation(id)`: set its values by
/// name, then `send()` (or `.stream()`/`.pages()` for a list). See the [module docs](self).
///
/// ```no_run
/// # #[cfg(feature = "permission-assist")]
/// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
/// let identity = client
///     .operation("get_identity")?
///     .path("id", "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10")
///     .send()
///     .await?;
/// println!("{}", identity["lastName"]);
/// # Ok(()) }
/// ```
#[must_use = "a call does nothing until it is sent"]
pub struct Operation<'a> {
    target: Target<'a>,
    info: &'static OperationSpec,
    parts: Parts,
    form: Vec<(String, String)>,
    files: Vec<(String, FilePart)>,
    progress: Option<Progress>,
    ahead: usize,
}

impl fmt::Debug for Operation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("operation", &self.info.id)
            .field("path", &self.parts.path)
            .field("query", &self.parts.query)
            .field("files", &self.files.len())
            .finish()
    }
}

/// The request an [`Operation`] would send, for showing it (a dry run): method, URL, the
/// headers it sets, and the body. Credentials are put on by the transport when a request is
/// sent, so they are never here: the preview shows `authorization: [redacted]` in their place,
/// and any header of the user's that usually carries a secret is shown redacted too, as is
/// any body field named like one (`password`, `client_secret`, `refresh_token`, ... at any
/// depth of a JSON body, in a form, or a multipart text part). Headers
/// the client adds to every request (its user agent, PERSCOM's `X-Perscom-Id`, Intacct's
/// entity) are not listed.
///
/// ```
/// # #[cfg(feature = "permission-assist")] {
/// let client = permkit::permission_assist::Client::builder("https://pa.example.com/api")
///     .token("pa_secret")
///     .build()
///     .unwrap();
/// let preview = client.operation("list_identities").unwrap().query("page", "2").preview().unwrap();
/// assert_eq!(preview.method, "GET");
/// assert_eq!(preview.url, "https://pa.example.com/api/identities?page=2");
/// assert!(!preview.to_string().contains("pa_secret"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestPreview {
    /// The HTTP method.
    pub method: String,
    /// The full URL, with the query string.
    pub url: String,
    /// The headers (name, value), credentials redacted.
    pub headers: Vec<(String, String)>,
    /// The body as text (JSON, form-urlencoded, or a multipart form's parts described).
    pub body: Option<String>,
}

impl fmt::Display for RequestPreview {
    /// The request as HTTP/1.1 would write it (with the full URL).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        if let Some(body) = &self.body {
            writeln!(f)?;
            writeln!(f, "{body}")?;
        }
        Ok(())
    }
}

use crate::secret_fields::secret_field;

/// A JSON value with its credential fields' values replaced by `[redacted]`, at any depth.
fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if secret_field(key, false) && !v.is_null() {
                    *v = Value::String("[redacted]".into());
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A request body's text as a preview shows it: credential fields redacted.
fn redact_body(kind: BodyKind, text: String) -> String {
    match kind {
        BodyKind::Form => text
            .split('&')
            .map(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                let decoded = serde_urlencoded::from_str::<Vec<(String, String)>>(pair)
                    .ok()
                    .and_then(|p| p.into_iter().next())
                    .map_or_else(|| name.to_string(), |(n, _)| n);
                if secret_field(&decoded, true) {
                    format!("{name}=[redacted]")
                } else {
                    pair.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("&"),
        _ => match serde_json::from_str::<Value>(&text) {
            Ok(mut value) => {
                let before = value.clone();
                redact_json(&mut value);
                if value == before {
                    text
                } else {
                    value.to_string()
                }
            }
            Err(_) => text,
        },
    }
}

impl<'a> Operation<'a> {
    /// The operation this call is of.
    ///
    /// ```
    /// # #[cfg(feature = "intacct")] {
    /// let client = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1").token("t").build().unwrap();
    /// assert_eq!(client.operation("get_role").unwrap().info().path_params(), ["key"]);
    /// # }
    /// ```
    pub fn info(&self) -> &'static OperationSpec {
        self.info
    }

    /// Sets the path parameter `name` (`{name}` in the path template). Each value is one
    /// segment of the URL, percent-encoded.
    ///
    /// ```
    /// # #[cfg(feature = "perscom")] {
    /// let client = permkit::perscom::Client::builder("https://api.perscom.io").api_key("k").build().unwrap();
    /// let p = client.operation("get_user").unwrap().path("user", "7").preview().unwrap();
    /// assert_eq!(p.url, "https://api.perscom.io/v2/users/7");
    /// # }
    /// ```
    pub fn path(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.parts.path.retain(|(n, _)| *n != name);
        self.parts.path.push((name, value.into()));
        self
    }

    /// Adds the query parameter `name=value` (call it again for a repeated parameter).
    ///
    /// ```
    /// # #[cfg(feature = "perscom")] {
    /// let client = permkit::perscom::Client::builder("https://api.perscom.io").api_key("k").build().unwrap();
    /// let p = client.operation("list_users").unwrap().query("include", "rank,unit").preview().unwrap();
    /// assert_eq!(p.url, "https://api.perscom.io/v2/users?include=rank%2Cunit");
    /// # }
    /// ```
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.query.push((name.into(), value.into()));
        self
    }

    /// Sets the request header `name` (a header parameter of the spec, or any other). The
    /// client's credentials are not set this way: they are the client's.
    ///
    /// ```
    /// # #[cfg(feature = "permission-assist")] {
    /// let client = permkit::permission_assist::Client::builder("https://pa.example.com/api").token("t").build().unwrap();
    /// let p = client.operation("list_identities").unwrap().header("x-job", "nightly").preview().unwrap();
    /// assert!(p.headers.contains(&("x-job".into(), "nightly".into())));
    /// # }
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts
            .headers
            .push((name.into().to_ascii_lowercase(), value.into()));
        self
    }

    /// The request body, as JSON (for a form-urlencoded operation, an object whose values are
    /// sent as strings).
    ///
    /// ```
    /// # #[cfg(feature = "intacct")] {
    /// let client = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1").token("t").build().unwrap();
    /// let body = serde_json::json!({"object": "company-config/role", "fields": ["id"]});
    /// let p = client.operation("query").unwrap().json_body(body).preview().unwrap();
    /// assert!(p.body.unwrap().contains("company-config/role"));
    /// # }
    /// ```
    pub fn json_body(mut self, body: Value) -> Self {
        self.parts.body = Some(body);
        self
    }

    /// Adds a text field to a multipart form.
    ///
    /// ```
    /// # #[cfg(feature = "permission-assist")] {
    /// let client = permkit::permission_assist::Client::builder("https://pa.example.com/api").token("t").build().unwrap();
    /// let op = client.operation("upload_application_import").unwrap().form_field("applicationId", "x");
    /// # let _ = op; }
    /// ```
    pub fn form_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.form.push((name.into(), value.into()));
        self
    }

    /// Adds a file to a multipart form under the part name `name`; it streams when sent.
    ///
    /// ```no_run
    /// # #[cfg(feature = "perscom")]
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// use permkit::upload::FilePart;
    /// let image = client
    ///     .operation("create_rank_image")?
    ///     .path("rank", "1")
    ///     .form_field("name", "Insignia")
    ///     .file("image", FilePart::from_path("pfc.png").await?)
    ///     .send()
    ///     .await?;
    /// # let _ = image; Ok(()) }
    /// ```
    pub fn file(mut self, name: impl Into<String>, part: FilePart) -> Self {
        self.files.push((name.into(), part));
        self
    }

    /// Counts the bytes of every file into `progress`.
    ///
    /// ```no_run
    /// # #[cfg(feature = "perscom")]
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// let progress = permkit::upload::Progress::new();
    /// let op = client.operation("create_image")?.progress(progress.clone());
    /// # let _ = op; Ok(()) }
    /// ```
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Keeps up to `n` pages in flight when paging (see
    /// [`Pager::prefetch`](crate::pagination::Pager::prefetch)).
    ///
    /// ```no_run
    /// # #[cfg(feature = "permission-assist")]
    /// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.operation("list_identities")?.prefetch(4).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn prefetch(mut self, n: usize) -> Self {
        self.ahead = n.max(1);
        self
    }

    /// The request this call would send, without sending it (see [`RequestPreview`]). Fails
    /// as `send()` would before sending (a path value missing, a header that cannot be sent).
    ///
    /// ```
    /// # #[cfg(feature = "permission-assist")] {
    /// let client = permkit::permission_assist::Client::builder("https://pa.example.com/api").token("t").build().unwrap();
    /// assert!(client.operation("get_identity").unwrap().preview().is_err());
    /// # }
    /// ```
    pub fn preview(&self) -> Result<RequestPreview> {
        self.body_fits(self.info.list)?;
        let page = (self.info.list && self.target.shape.paging_is_body()).then_some(None);
        let request = self.request(&self.parts, page.flatten())?;
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(n, v)| {
                let value = if crate::transport::secret_header(n.as_str()) {
                    "[redacted]".to_string()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (n.as_str().to_string(), value)
            })
            .collect();
        if !headers.iter().any(|(n, _)| n == "authorization") {
            headers.push(("authorization".into(), "[redacted]".into()));
        }
        let mut body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| redact_body(self.info.body, String::from_utf8_lossy(b).into_owned()));
        if self.multipart() {
            headers.push((
                "content-type".into(),
                "multipart/form-data; boundary=...".into(),
            ));
            let mut text = String::new();
            for (name, value) in &self.form {
                let value = if secret_field(name, true) {
                    "[redacted]"
                } else {
                    value.as_str()
                };
                text.push_str(&format!("part {name:?}: {value}\n"));
            }
            for (name, part) in &self.files {
                text.push_str(&format!(
                    "part {name:?}: file {:?}, {} bytes\n",
                    part.file_name(),
                    part.len()
                ));
            }
            body = Some(text.trim_end().to_string());
        }
        Ok(RequestPreview {
            method: request.method().to_string(),
            url: request.url().to_string(),
            headers,
            body,
        })
    }

    /// Sends the call once. The answer's value as JSON: a single resource unwrapped from its
    /// envelope as the typed operation returns it, a list's page envelope as the server sent
    /// it (see [`send_page`](Self::send_page)), `null` for an empty answer.
    ///
    /// ```no_run
    /// # #[cfg(feature = "intacct")]
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// let role = client.operation("get_role")?.path("key", "1").send().await?;
    /// println!("{}", role["id"]);
    /// # Ok(()) }
    /// ```
    pub fn send(self) -> Pending<'a, Value> {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the response's status, headers and request id.
    ///
    /// ```no_run
    /// # #[cfg(feature = "intacct")]
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// let answer = client.operation("list_roles")?.send_with_meta().await?;
    /// println!("{} {:?}", answer.status(), answer.request_id());
    /// # Ok(()) }
    /// ```
    pub fn send_with_meta(self) -> Pending<'a, Response<Value>> {
        Pending::new(async move {
            self.body_fits(false)?;
            let (list, unwrap) = (self.info.list, self.target.shape.unwrap);
            let (api, id) = (self.target.inner.api, self.info.id);
            let reply = if self.multipart() {
                self.send_multipart().await?
            } else {
                let request = self.request(&self.parts, None)?;
                self.call(request).await?
            };
            let value = decode(api, id, &reply)?;
            let value = if list {
                value
            } else {
                unwrapped(unwrap, value)
            };
            Ok(Response::new(value, reply.status, reply.headers))
        })
    }

    /// Sends a list operation once and reads its answer as a [`Page`] of JSON items (the page
    /// asked for: `?page=` or the query body's `start`, else the first).
    ///
    /// ```no_run
    /// # #[cfg(feature = "permission-assist")]
    /// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
    /// let page = client.operation("list_identities")?.query("page", "2").send_page().await?;
    /// println!("{} of {:?}", page.items.len(), page.total_count);
    /// # Ok(()) }
    /// ```
    pub fn send_page(self) -> Pending<'a, Page<Value>> {
        Pending::new(async move {
            self.not_a_list()?;
            self.body_fits(true)?;
            let at = self.requested_page();
            let request = self.request(&self.parts, None)?;
            let reply = self.call(request).await?;
            let value = self.decode(&reply)?;
            Ok(self.target.shape.page(value, at))
        })
    }

    /// Every item of every page of a list, in order, the values set on this call sent with
    /// every page (from the page asked for, else the first). A call of an operation that is
    /// not a list yields one error.
    ///
    /// ```no_run
    /// # #[cfg(feature = "intacct")]
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let body = serde_json::json!({"object": "company-config/permission", "fields": ["id", "module"]});
    /// let perms: Vec<_> = client.operation("query")?.json_body(body).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> ResultStream<'a, Value> {
        if let Err(e) = self.not_a_list().and_then(|()| self.body_fits(true)) {
            return pagination::boxed(futures::stream::once(async move { Err(e) }));
        }
        let (first, ahead, repeats) = (self.requested_page(), self.ahead, self.repeats());
        pagination::boxed(pagination::paginate_items(
            first,
            repeats,
            ahead,
            self.fetch(),
        ))
    }

    /// Every page of a list, in order (see [`stream`](Self::stream)).
    ///
    /// ```no_run
    /// # #[cfg(feature = "perscom")]
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let mut pages = client.operation("list_ranks")?.pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("page {}: {} ranks", page.cursor, page.items.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> ResultStream<'a, Page<Value>> {
        if let Err(e) = self.not_a_list().and_then(|()| self.body_fits(true)) {
            return pagination::boxed(futures::stream::once(async move { Err(e) }));
        }
        let (first, ahead, repeats) = (self.requested_page(), self.ahead, self.repeats());
        pagination::boxed(pagination::paginate_ahead(
            first,
            repeats,
            ahead,
            self.fetch(),
        ))
    }

    fn repeats(&self) -> Repeats<Value> {
        match self.target.shape.paging {
            #[cfg(any(feature = "perscom", feature = "permission-assist"))]
            Paging::Numbered { .. } => Repeats::ById(item_key),
            #[cfg(feature = "intacct")]
            Paging::BodyOffset { .. } => Repeats::CursorOnly,
        }
    }

    /// The page to start at: the `page` query value or the body's `start`, else 1.
    fn requested_page(&self) -> u64 {
        match self.target.shape.paging {
            #[cfg(any(feature = "perscom", feature = "permission-assist"))]
            Paging::Numbered { param, .. } => self
                .parts
                .query
                .iter()
                .rev()
                .find(|(n, _)| n == param)
                .and_then(|(_, v)| v.parse().ok()),
            #[cfg(feature = "intacct")]
            Paging::BodyOffset { .. } => self
                .parts
                .body
                .as_ref()
                .and_then(|b| b.get("start"))
                .and_then(Value::as_u64),
        }
        .unwrap_or(1)
        .max(1)
    }

    /// The fetch of one page at a cursor, for the paging engine.
    fn fetch(
        self,
    ) -> impl FnMut(u64) -> futures::future::BoxFuture<'a, Result<Page<Value>>> + Send + 'a {
        let Operation {
            target,
            info,
            parts,
            ..
        } = self;
        move |at| {
            let parts = parts.clone();
            async move {
                let op = Operation {
                    target,
                    info,
                    parts,
                    form: Vec::new(),
                    files: Vec::new(),
                    progress: None,
                    ahead: 1,
                };
                let request = op.request(&op.parts, Some(at))?;
                let reply = op.call(request).await?;
                let value = op.decode(&reply)?;
                Ok(target.shape.page(value, at))
            }
            .boxed()
        }
    }

    fn not_a_list(&self) -> Result<()> {
        if self.info.list {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidRequest,
            format!(
                "`{}` is not a list operation: it has no pages",
                self.info.id
            ),
        )
        .with_api(self.target.inner.api)
        .with_operation(self.info.id))
    }

    /// Refuses what the call would not send, rather than dropping it: a JSON body beside a
    /// multipart form, form fields on an operation that takes no multipart body, and a form
    /// or files on a list read page by page (`paging`).
    fn body_fits(&self, paging: bool) -> Result<()> {
        if self.multipart() && self.parts.body.is_some() {
            return Err(self.invalid(
                "a multipart body is its form fields and files (`form_field`, `file`): the JSON \
                 body would not be sent"
                    .into(),
            ));
        }
        if !self.form.is_empty() && !self.multipart() {
            return Err(self.invalid(
                "`form_field` values go in a multipart body, which this operation does not take"
                    .into(),
            ));
        }
        if paging && !(self.form.is_empty() && self.files.is_empty()) {
            return Err(self.invalid("a list is read page by page, with no form or files".into()));
        }
        Ok(())
    }

    fn multipart(&self) -> bool {
        self.info.body == BodyKind::Multipart || !self.files.is_empty()
    }

    fn invalid(&self, message: String) -> Error {
        Error::new(
            ErrorKind::InvalidRequest,
            format!("{}: {message}", self.info.id),
        )
        .with_api(self.target.inner.api)
        .with_operation(self.info.id)
    }

    /// The URL with the path values and query parameters (`page` set when paging by number).
    fn url(&self, parts: &Parts, page: Option<u64>) -> Result<reqwest::Url> {
        let shape = self.target.shape;
        let (root, rest) = match shape.base_path {
            Some(prefix) if self.info.path.starts_with(prefix) => {
                (self.target.base, &self.info.path[prefix.len()..])
            }
            Some(_) => (self.target.host, self.info.path),
            None => (self.target.base, self.info.path),
        };
        let mut url =
            reqwest::Url::parse(root).map_err(|e| self.invalid(format!("not a base URL: {e}")))?;
        let mut used = 0;
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|_| self.invalid("the base URL cannot take a path".into()))?;
            segments.pop_if_empty();
            for segment in rest.split('/').filter(|s| !s.is_empty()) {
                match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => {
                        let value = parts
                            .path
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, v)| v.as_str())
                            .ok_or_else(|| {
                                self.invalid(format!("the path value `{name}` is missing"))
                            })?;
                        crate::generated::path_segment(value, name).map_err(|m| self.invalid(m))?;
                        used += 1;
                        segments.push(value);
                    }
                    None => {
                        segments.push(segment);
                    }
                }
            }
        }
        if let Some((name, _)) = parts
            .path
            .iter()
            .find(|(n, _)| !self.info.path.contains(&format!("{{{n}}}")))
        {
            return Err(self.invalid(format!("the path has no parameter `{name}`")));
        }
        debug_assert!(used <= parts.path.len());
        // The page asked for replaces any value of the page parameter (numbered paging).
        let paged = shape.page_param().zip(page);
        let query: Vec<(&str, String)> = parts
            .query
            .iter()
            .filter(|(n, _)| paged.is_none_or(|(param, _)| n != param))
            .map(|(n, v)| (n.as_str(), v.clone()))
            .chain(paged.map(|(param, n)| (param, n.to_string())))
            .collect();
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// The request of one page (or the one request).
    fn request(&self, parts: &Parts, page: Option<u64>) -> Result<reqwest::Request> {
        let method = http::Method::from_bytes(self.info.method.as_bytes())
            .map_err(|_| self.invalid(format!("bad method {}", self.info.method)))?;
        let url = self.url(parts, page)?;
        let mut request = self
            .target
            .client
            .request(method, url)
            .header(http::header::ACCEPT, "application/json");
        for (name, value) in &parts.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| self.invalid(format!("`{name}` is not a header name")))?;
            let value = http::HeaderValue::from_str(value).map_err(|_| {
                self.invalid(format!(
                    "the header `{name}` has characters a header cannot carry"
                ))
            })?;
            request = request.header(name, value);
        }
        let body = match (&self.target.shape.paging, self.info.list, &parts.body) {
            #[cfg(feature = "intacct")]
            (Paging::BodyOffset { default_size, .. }, true, body) => {
                let mut body = body
                    .clone()
                    .unwrap_or_else(|| Value::Object(Default::default()));
                if let (Some(map), Some(at)) = (body.as_object_mut(), page) {
                    map.insert("start".into(), at.into());
                    map.entry("size").or_insert((*default_size).into());
                }
                Some(body)
            }
            (_, _, body) => body.clone(),
        };
        match (self.info.body, body) {
            (BodyKind::Form, Some(body)) => {
                let Value::Object(map) = body else {
                    return Err(self.invalid("a form body is a JSON object".into()));
                };
                let fields: Vec<(String, String)> = map
                    .into_iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => (k, s),
                        other => (k, other.to_string()),
                    })
                    .collect();
                request = request.form(&fields);
            }
            (_, Some(body)) => request = request.json(&body),
            (_, None) => {}
        }
        request
            .build()
            .map_err(|e| crate::error::from_reqwest(e).with_operation(self.info.id))
    }

    async fn call(&self, request: reqwest::Request) -> Result<Reply> {
        let call_of = Call {
            template: Some(self.info.path),
            ..Call::new(self.info.id)
        };
        call(self.target.client, self.target.inner, request, call_of).await
    }

    /// Sends the multipart form, its files streamed (sent once, not bounded by the call
    /// timeout, as every upload).
    async fn send_multipart(self) -> Result<Reply> {
        let request = self.request(&self.parts, None)?;
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in self.form {
            form = form.text(name, value);
        }
        for (name, part) in self.files {
            if part.is_empty() {
                return Err(Error::new(
                    ErrorKind::Validation,
                    format!("the file for `{name}` is empty"),
                )
                .with_operation(self.info.id));
            }
            let part = match &self.progress {
                Some(p) => part.with_progress(p.clone()),
                None => part,
            };
            form = form.part(name, part.into_part()?);
        }
        let mut builder = self
            .target
            .client
            .request(request.method().clone(), request.url().clone())
            .multipart(form);
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        let request = builder
            .build()
            .map_err(|e| crate::error::from_reqwest(e).with_operation(self.info.id))?;
        let call_of = Call {
            template: Some(self.info.path),
            bounded: false,
            ..Call::new(self.info.id)
        };
        call(self.target.client, self.target.inner, request, call_of).await
    }

    fn decode(&self, reply: &Reply) -> Result<Value> {
        decode(self.target.inner.api, self.info.id, reply)
    }
}

/// A JSON answer, `null` when it is empty (204).
fn decode(api: crate::Api, operation: &str, reply: &Reply) -> Result<Value> {
    if reply.status == 204 || reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    decode_json(api, operation, reply)
}

/// A single resource's value out of its envelope (`field`), as the typed operation unwraps it.
fn unwrapped(field: Option<&str>, value: Value) -> Value {
    match (field, value) {
        (Some(field), Value::Object(mut map)) if map.contains_key(field) => {
            map.remove(field).unwrap_or(Value::Null)
        }
        (_, value) => value,
    }
}

impl Shape {
    /// The query parameter of the page number, when the API pages by number.
    fn page_param(&self) -> Option<&'static str> {
        match self.paging {
            #[cfg(any(feature = "perscom", feature = "permission-assist"))]
            Paging::Numbered { param, .. } => Some(param),
            #[cfg(feature = "intacct")]
            Paging::BodyOffset { .. } => None,
        }
    }

    fn paging_is_body(&self) -> bool {
        match self.paging {
            #[cfg(any(feature = "perscom", feature = "permission-assist"))]
            Paging::Numbered { .. } => false,
            #[cfg(feature = "intacct")]
            Paging::BodyOffset { .. } => true,
        }
    }

    /// One list answer as a [`Page`], asked for at `at`.
    fn page(&self, value: Value, at: u64) -> Page<Value> {
        let number = |pointer: &str| value.pointer(pointer).and_then(Value::as_u64);
        match self.paging {
            #[cfg(any(feature = "perscom", feature = "permission-assist"))]
            Paging::Numbered {
                items,
                last,
                total,
                current,
                ..
            } => {
                let (last, total, reported) = (number(last), number(total), number(current));
                let items = items_at(&value, items);
                Page::numbered(items, at, last)
                    .with_total_count(total)
                    .with_reported(reported)
            }
            #[cfg(feature = "intacct")]
            Paging::BodyOffset {
                items, next, total, ..
            } => {
                let (next, total) = (number(next), number(total));
                Page::offset(items_at(&value, items), at, next).with_total_count(total)
            }
        }
    }
}

fn items_at(value: &Value, pointer: &str) -> Vec<Value> {
    match value.pointer(pointer) {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// A JSON item's identity for the pager: its `id` (an integer or a string), else the whole
/// item's text (compared exactly).
#[cfg(any(feature = "perscom", feature = "permission-assist"))]
fn item_key(item: &Value) -> ItemKey {
    match item.get("id") {
        Some(Value::Number(n)) if n.as_i64().is_some() => ItemKey::from(n.as_i64().unwrap_or(0)),
        Some(Value::String(s)) => ItemKey::from(s.as_str()),
        _ => ItemKey::from(item.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "perscom", feature = "permission-assist"))]
    static NUMBERED: Shape = Shape {
        unwrap: Some("data"),
        base_path: None,
        paging: Paging::Numbered {
            param: "page",
            items: "/data",
            last: "/meta/last_page",
            total: "/meta/total",
            current: "/meta/current_page",
        },
    };

    #[cfg(any(feature = "perscom", feature = "permission-assist"))]
    #[test]
    fn a_numbered_page_reads_its_envelope() {
        let body = serde_json::json!({"data": [{"id": 1}, {"id": 2}], "meta": {"last_page": 3, "total": 6, "current_page": 2}});
        let page = NUMBERED.page(body, 2);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next, Some(3));
        assert_eq!(page.total_count, Some(6));
        assert_eq!(page.reported, Some(2));
    }

    #[cfg(feature = "perscom")]
    #[tokio::test]
    async fn what_a_call_would_not_send_is_refused_not_dropped() {
        use futures::StreamExt;
        // Nothing listens there: each refusal comes before any request.
        let client = crate::perscom::Client::builder("http://127.0.0.1:9")
            .api_key("k")
            .build()
            .unwrap();
        let refused = |e: Error, words: &str| {
            assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
            assert!(e.to_string().contains(words), "{e}");
        };
        // A JSON body beside a multipart form: the form would be the body.
        let op = || {
            client
                .operation("create_rank_image")
                .unwrap()
                .path("rank", "1")
        };
        let body = serde_json::json!({"name": "Insignia"});
        refused(
            op().json_body(body.clone()).preview().unwrap_err(),
            "JSON body would not be sent",
        );
        refused(
            op().json_body(body).send().await.unwrap_err(),
            "JSON body would not be sent",
        );
        // Form fields on an operation with a JSON body.
        let op = client
            .operation("create_user")
            .unwrap()
            .form_field("name", "Pat");
        refused(op.preview().unwrap_err(), "does not take");
        // Files on a list, read page by page.
        let list = || {
            let file = crate::upload::FilePart::from_bytes(&b"x"[..], "x.csv");
            client.operation("list_users").unwrap().file("file", file)
        };
        refused(list().send_page().await.unwrap_err(), "no form or files");
        let first = list().stream().next().await.unwrap().unwrap_err();
        refused(first, "no form or files");
        // What fits still builds.
        let ok = client
            .operation("create_rank_image")
            .unwrap()
            .path("rank", "1")
            .form_field("name", "Insignia")
            .preview()
            .unwrap();
        assert!(ok.to_string().contains("part \"name\": Insignia"), "{ok}");
    }

    #[cfg(all(
        feature = "perscom",
        feature = "permission-assist",
        feature = "intacct"
    ))]
    #[tokio::test]
    async fn every_api_through_the_sandbox_by_operation_id() {
        use futures::TryStreamExt;
        use permkit_sandbox::Sandbox;
        let sandbox = Sandbox::start().await;
        let pa = crate::permission_assist::Client::builder(sandbox.permission_assist_url())
            .token(Sandbox::PERMISSION_ASSIST_TOKEN)
            .build()
            .unwrap();
        let all: Vec<Value> = pa
            .operation("list_identities")
            .unwrap()
            .prefetch(4)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len() as u64, Sandbox::PERMISSION_ASSIST_IDENTITIES);
        let id = Sandbox::PERMISSION_ASSIST_IDENTITY.to_string();
        let one = pa
            .operation("get_identity")
            .unwrap()
            .path("id", &id)
            .send()
            .await
            .unwrap();
        assert_eq!(one["id"], id.as_str());
        let missing = pa
            .operation("get_identity")
            .unwrap()
            .path("id", uuid::Uuid::nil().to_string())
            .send()
            .await
            .unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);

        let pc = crate::perscom::Client::builder(sandbox.perscom_url())
            .api_key(Sandbox::PERSCOM_API_KEY)
            .build()
            .unwrap();
        let user = pc
            .operation("get_user")
            .unwrap()
            .path("user", "1")
            .send()
            .await
            .unwrap();
        assert_eq!(user["id"], 1, "the `data` envelope is unwrapped: {user}");
        let page = pc
            .operation("list_users")
            .unwrap()
            .query("limit", "10")
            .send_page()
            .await
            .unwrap();
        assert_eq!(page.items.len(), 10);
        assert_eq!(page.total_count, Some(Sandbox::PERSCOM_USERS));

        let ia = crate::intacct::Client::builder(sandbox.intacct_url())
            .client_credentials(
                Sandbox::INTACCT_CLIENT_ID,
                Sandbox::INTACCT_CLIENT_SECRET,
                Sandbox::INTACCT_USERNAME,
            )
            .build()
            .unwrap();
        let body = serde_json::json!({"object": "company-config/permission", "fields": ["id", "module"], "size": 250});
        let perms: Vec<Value> = ia
            .operation("query")
            .unwrap()
            .json_body(body)
            .prefetch(2)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(perms.len() as u64, Sandbox::INTACCT_PERMISSIONS);
        assert!(pa.operation("no_such_operation").is_err());
    }

    #[cfg(feature = "intacct")]
    #[test]
    fn an_offset_page_reads_the_query_envelope() {
        static OFFSET: Shape = Shape {
            unwrap: Some("ia::result"),
            base_path: None,
            paging: Paging::BodyOffset {
                items: "/ia::result",
                next: "/ia::meta/next",
                total: "/ia::meta/totalCount",
                default_size: 2,
            },
        };
        assert!(OFFSET.paging_is_body());
        let body = serde_json::json!({"ia::result": [{"id": "A"}, {"id": "B"}], "ia::meta": {"next": 3, "totalCount": 5}});
        let page = OFFSET.page(body, 1);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next, Some(3));
        assert_eq!(page.total_count, Some(5));
    }

    #[test]
    fn a_preview_redacts_credential_fields_of_bodies() {
        let form = redact_body(
            BodyKind::Form,
            "grant_type=client_credentials&client_id=app&client_secret=s3cr3t&code=c0de".into(),
        );
        assert_eq!(
            form,
            "grant_type=client_credentials&client_id=app&client_secret=[redacted]&code=[redacted]"
        );
        let json = redact_body(
            BodyKind::Json,
            r#"{"id":"ann","contact":{"email":"a@x"},"webServices":{"password":"pw"},"code":"X"}"#
                .into(),
        );
        assert!(!json.contains("pw"), "{json}");
        assert!(json.contains("\"code\":\"X\""), "{json}");
        let plain = r#"{"id": "ann"}"#;
        assert_eq!(redact_body(BodyKind::Json, plain.into()), plain);
    }

    #[cfg(any(feature = "perscom", feature = "permission-assist"))]
    #[test]
    fn items_are_told_apart_by_their_exact_id() {
        let a = item_key(&serde_json::json!({"id": 1}));
        let b = item_key(&serde_json::json!({"id": "1"}));
        assert_ne!(a, b);
        assert_eq!(a, ItemKey::from(1i64));
        let anonymous = item_key(&serde_json::json!({"name": "x"}));
        assert_eq!(anonymous, item_key(&serde_json::json!({"name": "x"})));
    }
}

/// Each API's client: its table of operations and `operation(id)`.
macro_rules! dynamic_client {
    ($module:ident, $example:literal, $host:ident) => {
        impl crate::$module::Client {
            /// Every operation of this API, from its spec, in document order: the ids
            /// [`operation`](Self::operation) takes (see [`crate::dynamic`]).
            ///
            /// ```
            #[doc = concat!("let ops = permkit::", stringify!($module), "::Client::operations();")]
            /// assert!(ops.iter().all(|op| !op.id().is_empty()));
            /// ```
            pub fn operations() -> &'static [OperationSpec] {
                crate::$module::OPERATIONS
            }

            /// A call of the operation named by its `operationId` (`list_users`), with
            /// strings and JSON in and JSON out, through this client's transport and paging
            /// (see [`crate::dynamic`]). Fails with [`ErrorKind::InvalidRequest`] for an id
            /// the API does not have.
            ///
            /// ```no_run
            #[doc = concat!("# async fn demo(client: &permkit::", stringify!($module), "::Client) -> permkit::Result<()> {")]
            #[doc = $example]
            /// # Ok(()) }
            /// ```
            pub fn operation(&self, id: &str) -> Result<Operation<'_>> {
                // Written by the build script from the table the typed pagers come from.
                static SHAPE: Shape =
                    include!(concat!(env!("OUT_DIR"), "/", stringify!($module), "_shape.rs"));
                let host: &str = self.$host();
                Target {
                    client: &self.client,
                    inner: &self.inner,
                    base: &self.baseurl,
                    host,
                    shape: &SHAPE,
                    operations: crate::$module::OPERATIONS,
                }
                .operation(id)
            }
        }
    };
}

#[cfg(feature = "permission-assist")]
dynamic_client!(
    permission_assist,
    "let page = client.operation(\"list_identities\")?.send_page().await?;",
    baseurl
);

#[cfg(feature = "perscom")]
dynamic_client!(
    perscom,
    "let me = client.operation(\"get_me\")?.send().await?;",
    host
);

#[cfg(feature = "intacct")]
dynamic_client!(
    intacct,
    "let roles = client.operation(\"list_roles\")?.send().await?;",
    base_url
);
