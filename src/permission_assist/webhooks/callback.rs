//! Answering a catch hook: the response posted to its `callback` URL with the client's
//! credentials, only on the client's own origin unless a host is allowed.

use super::CatchHook;
use crate::permission_assist::Client;
use crate::{Api, Error, ErrorKind, Response, Result};
use reqwest::Url;

/// The operation name callback errors carry.
const OPERATION: &str = "answer_catch_hook";

/// A response to a catch hook being put together; send it with [`AnswerCatchHook::send`].
/// Made by [`Client::answer_catch_hook`].
///
/// ```no_run
/// # async fn demo(client: &permkit::permission_assist::Client, hook: &permkit::permission_assist::webhooks::CatchHook) -> permkit::Result<()> {
/// let answer = client
///     .answer_catch_hook(hook, serde_json::json!({"approved": true, "comment": "ticket CHG-1042"}))
///     .send()
///     .await?;
/// println!("the callback answered {answer}");
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "an answer does nothing until sent"]
pub struct AnswerCatchHook<'a> {
    client: &'a Client,
    callback: Option<String>,
    body: std::result::Result<Vec<u8>, String>,
    allowed_hosts: Vec<String>,
}

impl Client {
    /// Starts the answer to `hook`: `response`, as JSON, posted to the hook's `callback` with
    /// this client's credentials, retries and errors.
    ///
    /// The callback must be on this client's own origin (the scheme, host and port of its base
    /// URL); any other is refused before anything is sent, unless allowed with
    /// [`AnswerCatchHook::allow_host`]. The catch hook is not signed, so its `callback` is not
    /// trusted with your token by default.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::permission_assist::Client, hook: &permkit::permission_assist::webhooks::CatchHook) -> permkit::Result<()> {
    /// client.answer_catch_hook(hook, serde_json::json!({"received": true})).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn answer_catch_hook(
        &self,
        hook: &CatchHook,
        response: impl serde::Serialize,
    ) -> AnswerCatchHook<'_> {
        AnswerCatchHook {
            client: self,
            callback: hook.callback.clone(),
            body: serde_json::to_vec(&response).map_err(|e| e.to_string()),
            allowed_hosts: Vec::new(),
        }
    }
}

fn refused(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, message)
        .with_api(Api::PermissionAssist)
        .with_operation(OPERATION)
}

impl<'a> AnswerCatchHook<'a> {
    /// Also sends the credentials to a callback on `host` (a host name such as
    /// `hooks.example.com`, any port), over https; over http too when the client's own base URL
    /// is http. Allow only a host you know serves your Permission Assist.
    ///
    /// ```
    /// # let client = permkit::permission_assist::Client::builder("https://pa.example.com/api").token("t").build().unwrap();
    /// # let hook = permkit::permission_assist::webhooks::parse(br#"{"id": "h", "callback": "https://callbacks.example.com/1",
    /// #   "event": {"name": "n", "request": {"id": "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10", "number": 7, "action": "Add", "status": "Pending"}}}"#).unwrap();
    /// let answer = client
    ///     .answer_catch_hook(&hook, serde_json::json!({"received": true}))
    ///     .allow_host("callbacks.example.com");
    /// # let _ = answer;
    /// ```
    pub fn allow_host(mut self, host: impl Into<String>) -> Self {
        self.allowed_hosts.push(
            host.into()
                .trim()
                .trim_end_matches('.')
                .to_ascii_lowercase(),
        );
        self
    }

    /// The callback URL, checked: present, http(s), no user info, and on the client's origin
    /// or an allowed host.
    fn checked_callback(&self) -> Result<Url> {
        let Some(callback) = self.callback.as_deref().map(str::trim) else {
            return Err(refused("the catch hook has no callback URL to answer"));
        };
        let url = Url::parse(callback)
            .map_err(|e| refused(format!("the catch hook's callback is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refused("the catch hook's callback is not an http(s) URL"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refused(
                "the catch hook's callback carries user credentials; refused",
            ));
        }
        let base = Url::parse(self.client.baseurl())
            .map_err(|e| refused(format!("the client's base URL is not a URL: {e}")))?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let same_origin = url.scheme() == base.scheme()
            && base
                .host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case(&host))
            && url.port_or_known_default() == base.port_or_known_default();
        if same_origin {
            return Ok(url);
        }
        let allowed = self
            .allowed_hosts
            .iter()
            .any(|h| *h == host.trim_end_matches('.'));
        if allowed && (url.scheme() == "https" || base.scheme() == "http") {
            return Ok(url);
        }
        let own = base.host_str().unwrap_or_default();
        Err(refused(if allowed {
            format!(
                "the catch hook's callback on {host} is http while the client uses https: \
                 credentials are not sent in clear"
            )
        } else {
            format!(
                "the catch hook's callback is on {}://{host}{}, not the client's own origin \
                 ({}://{own}{}): the client's credentials are sent only there, unless \
                 allow_host(\"{host}\") allows that host",
                url.scheme(),
                url.port().map(|p| format!(":{p}")).unwrap_or_default(),
                base.scheme(),
                base.port().map(|p| format!(":{p}")).unwrap_or_default(),
            )
        }))
    }

    /// Posts the response and returns the callback's answer as JSON (`Null` when it answers
    /// with no body, as a 204 does).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::permission_assist::Client, hook: &permkit::permission_assist::webhooks::CatchHook) -> permkit::Result<()> {
    /// let answer = client.answer_catch_hook(hook, serde_json::json!({"received": true})).send().await?;
    /// assert!(answer.is_null() || answer.is_object());
    /// # Ok(()) }
    /// ```
    pub fn send(self) -> crate::Pending<'a, serde_json::Value> {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the callback's status, headers and request id.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::permission_assist::Client, hook: &permkit::permission_assist::webhooks::CatchHook) -> permkit::Result<()> {
    /// let answer = client.answer_catch_hook(hook, serde_json::json!({"received": true})).send_with_meta().await?;
    /// println!("{} {:?}", answer.status(), answer.request_id());
    /// # Ok(()) }
    /// ```
    pub fn send_with_meta(self) -> crate::Pending<'a, Response<serde_json::Value>> {
        crate::Pending::new(self.sent())
    }

    async fn sent(self) -> Result<Response<serde_json::Value>> {
        let url = self.checked_callback()?;
        let body = self
            .body
            .map_err(|e| refused(format!("the response did not serialise to JSON: {e}")))?;
        let http = self.client.client();
        let inner = self.client.inner();
        let request = http
            .post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::ACCEPT, "application/json")
            .body(body)
            .build()
            .map_err(|e| {
                crate::error::from_reqwest(e)
                    .with_api(inner.api)
                    .with_operation(OPERATION)
            })?;
        let reply =
            crate::transport::call(http, inner, request, crate::transport::Call::new(OPERATION))
                .await?;
        let value = if reply.body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            crate::transport::decode_json(inner.api, OPERATION, &reply)?
        };
        Ok(Response::new(value, reply.status, reply.headers))
    }
}
