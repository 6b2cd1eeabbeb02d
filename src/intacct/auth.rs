//! OAuth 2.0 for Intacct: the client credentials and refresh token grants, a token cache that
//! refreshes before expiry and only once however many requests wait, rotated refresh tokens
//! handed to a [`TokenStore`], and the entity header.
//!
//! Nothing here prints a secret: tokens and client secrets are [`Secret`]s, the `Debug` of
//! every type shows `[redacted]`, and log lines name the grant and the status only.

use crate::transport::Authenticate;
use crate::{Error, ErrorKind, Result, Secret};
use futures::future::BoxFuture;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a refresh token lives between runs. The refresh grant reads the current token from
/// it and hands it every rotated one *before* the new access token is used, because Sage may
/// invalidate the old refresh token at once.
///
/// ```
/// use permkit::intacct::{MemoryTokenStore, TokenStore};
/// use permkit::Secret;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = MemoryTokenStore::new(Secret::new("rt-1"));
/// store.save(Secret::new("rt-2")).await.unwrap();
/// assert_eq!(store.load().await.unwrap().unwrap().expose(), "rt-2");
/// # });
/// ```
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The refresh token to use next, if the store has one.
    fn load(&self) -> BoxFuture<'_, Result<Option<Secret>>>;
    /// Keeps a rotated refresh token. An error stops the token request from being used.
    fn save(&self, refresh_token: Secret) -> BoxFuture<'_, Result<()>>;
}

/// A [`TokenStore`] in memory: enough for a long-running process, lost when it exits.
///
/// ```
/// let store = permkit::intacct::MemoryTokenStore::new(permkit::Secret::new("rt"));
/// assert!(!format!("{store:?}").contains("rt\""));
/// ```
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    token: Mutex<Option<Secret>>,
}

impl MemoryTokenStore {
    /// A store holding `refresh_token`.
    pub fn new(refresh_token: impl Into<Secret>) -> Self {
        MemoryTokenStore {
            token: Mutex::new(Some(refresh_token.into())),
        }
    }
    /// The refresh token held now.
    pub fn current(&self) -> Option<Secret> {
        self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<Secret>>> {
        Box::pin(async move { Ok(self.current()) })
    }
    fn save(&self, refresh_token: Secret) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some(refresh_token);
            Ok(())
        })
    }
}

/// How the token request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenEncoding {
    /// `application/x-www-form-urlencoded` (RFC 6749; Sage's own samples). The default.
    #[default]
    Form,
    /// `application/json`, as two known SDKs send the client credentials grant.
    Json,
}

/// The grant a client uses to get access tokens.
#[derive(Clone)]
pub(crate) enum Grant {
    ClientCredentials {
        client_id: String,
        client_secret: Secret,
        username: String,
    },
    RefreshToken {
        client_id: String,
        client_secret: Secret,
        store: Arc<dyn TokenStore>,
        entity_id: Option<String>,
    },
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::ClientCredentials {
                client_id,
                username,
                ..
            } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", &"[redacted]")
                .field("username", username)
                .finish(),
            Grant::RefreshToken {
                client_id,
                store,
                entity_id,
                ..
            } => f
                .debug_struct("RefreshToken")
                .field("client_id", client_id)
                .field("client_secret", &"[redacted]")
                .field("store", store)
                .field("entity_id", entity_id)
                .finish(),
        }
    }
}

impl Grant {
    fn name(&self) -> &'static str {
        match self {
            Grant::ClientCredentials { .. } => "client_credentials",
            Grant::RefreshToken { .. } => "refresh_token",
        }
    }
}

/// Checks a Web Services user name: `user@company` or `user@company|entity`.
pub(crate) fn check_username(username: &str) -> Result<()> {
    let (login, entity) = match username.split_once('|') {
        Some((l, e)) => (l, Some(e)),
        None => (username, None),
    };
    let ok = login
        .split_once('@')
        .is_some_and(|(u, c)| !u.trim().is_empty() && !c.trim().is_empty() && !c.contains('@'))
        && entity.is_none_or(|e| !e.trim().is_empty() && !e.contains('|'));
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Validation,
            "the Intacct username must be `user@company` or `user@company|entity`",
        ))
    }
}

struct Cached {
    header: http::HeaderValue,
    /// When to stop using the token (its expiry minus the skew).
    refresh_at: Instant,
}

/// OAuth 2.0 credentials with a shared token cache.
pub(crate) struct OAuth {
    pub(crate) token_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) grant: Grant,
    pub(crate) encoding: TokenEncoding,
    pub(crate) skew: Duration,
    /// The client's request counter (token requests count as `create_token`).
    pub(crate) counter: Arc<crate::transport::Counter>,
    /// The client's retry policy, which token requests follow too.
    pub(crate) retry: crate::RetryPolicy,
    cached: Mutex<Option<Cached>>,
    /// Held while a token is requested: everyone else waits and then reuses its result.
    gate: tokio::sync::Mutex<()>,
    /// How many token requests have ended, and the failure of the last one if it failed: a
    /// call that waited at the gate while a request failed gets the same failure instead of
    /// sending another request.
    outcome: Mutex<(u64, Option<Error>)>,
}

impl fmt::Debug for OAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth")
            .field("token_url", &self.token_url)
            .field("grant", &self.grant)
            .field("encoding", &self.encoding)
            .field("skew", &self.skew)
            .field("access_token", &"[redacted]")
            .finish()
    }
}

/// The fallback lifetime when neither `expires_in` nor the JWT's `exp` says (Sage does not
/// document the lifetime; one SDK assumes an hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The longest a token is kept, whatever lifetime the server claims (`expires_in` of
/// `u64::MAX` is a claim, not a promise): after a day a new one is asked for.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The operation id token requests are counted and reported under.
const TOKEN_OPERATION: &str = "create_token";

#[derive(serde::Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl OAuth {
    pub(crate) fn new(
        token_url: String,
        http: reqwest::Client,
        grant: Grant,
        encoding: TokenEncoding,
        skew: Duration,
        counter: Arc<crate::transport::Counter>,
        retry: crate::RetryPolicy,
    ) -> Self {
        OAuth {
            token_url,
            http,
            grant,
            encoding,
            skew,
            counter,
            retry,
            cached: Mutex::new(None),
            gate: tokio::sync::Mutex::new(()),
            outcome: Mutex::new((0, None)),
        }
    }

    fn valid_header(&self) -> Option<http::HeaderValue> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached
            .as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .map(|c| c.header.clone())
    }

    /// A valid access token header, requesting a new token if needed (once for all waiters).
    async fn header(&self) -> std::result::Result<http::HeaderValue, Error> {
        if let Some(h) = self.valid_header() {
            return Ok(h);
        }
        let ended_before = self.outcome().0;
        let _gate = self.gate.lock().await;
        // Someone else may have fetched a token while this task waited, or failed to.
        if let Some(h) = self.valid_header() {
            return Ok(h);
        }
        let (ended, failure) = self.outcome();
        if ended != ended_before
            && let Some(e) = failure
        {
            return Err(e);
        }
        let fetched = self.fetch_retried().await;
        {
            let mut outcome = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
            outcome.0 += 1;
            outcome.1 = fetched.as_ref().err().cloned();
        }
        let (header, lifetime) = fetched?;
        let lifetime = lifetime.min(MAX_LIFETIME);
        let skew = self.skew.min(lifetime / 2);
        let now = Instant::now();
        let refresh_at = now
            .checked_add(lifetime.saturating_sub(skew))
            .unwrap_or(now);
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
            header: header.clone(),
            refresh_at,
        });
        Ok(header)
    }

    /// How many token requests have ended, and the last one's failure.
    fn outcome(&self) -> (u64, Option<Error>) {
        self.outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A token request under the client's retry policy: tried again after a 429 or 502-504
    /// (waiting what the server asks, within the policy) and after a failed connect. The error
    /// names `create_token`, never holds a secret of the grant, and has every request counted.
    async fn fetch_retried(&self) -> std::result::Result<(http::HeaderValue, Duration), Error> {
        let mut attempt = 0;
        loop {
            let (result, wait) = match self.fetch(attempt > 0).await {
                Ok(token) => return Ok(token),
                Err(Attempt::Failed(e)) => (e, None),
                Err(Attempt::Transient(e, wait)) => {
                    let wait = wait.unwrap_or_else(|| self.retry.backoff(attempt));
                    (e, Some(wait))
                }
            };
            match wait {
                Some(wait)
                    if attempt < self.retry.max_retries && wait <= self.retry.max_retry_after =>
                {
                    tracing::debug!(
                        api = "intacct",
                        grant = self.grant.name(),
                        wait_ms = wait.as_millis() as u64,
                        "retrying the token request"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => return Err(self.scrubbed(result)),
            }
        }
    }

    /// `e` as a token request's error: its API and operation, and none of the grant's secrets.
    fn scrubbed(&self, e: Error) -> Error {
        let mut secrets = Vec::new();
        match &self.grant {
            Grant::ClientCredentials { client_secret, .. } => secrets.push(client_secret.expose()),
            Grant::RefreshToken { client_secret, .. } => secrets.push(client_secret.expose()),
        }
        e.with_api(crate::Api::Intacct)
            .with_operation(TOKEN_OPERATION)
            .scrub(&secrets)
    }

    fn form(&self, refresh: Option<&Secret>) -> Vec<(&'static str, String)> {
        let mut f = vec![("grant_type", self.grant.name().to_string())];
        match &self.grant {
            Grant::ClientCredentials {
                client_id,
                client_secret,
                username,
            } => {
                f.push(("client_id", client_id.clone()));
                f.push(("client_secret", client_secret.expose().to_string()));
                f.push(("username", username.clone()));
            }
            Grant::RefreshToken {
                client_id,
                client_secret,
                entity_id,
                ..
            } => {
                if let Some(rt) = refresh {
                    f.push(("refresh_token", rt.expose().to_string()));
                }
                f.push(("client_id", client_id.clone()));
                f.push(("client_secret", client_secret.expose().to_string()));
                if let Some(e) = entity_id {
                    f.push(("entity_id", e.clone()));
                }
            }
        }
        f
    }

    /// One token request (`repeat`: a retry of one that failed).
    async fn fetch(
        &self,
        repeat: bool,
    ) -> std::result::Result<(http::HeaderValue, Duration), Attempt> {
        let refresh = match &self.grant {
            Grant::RefreshToken { store, .. } => {
                let token = store.load().await.map_err(|e| {
                    Error::new(
                        ErrorKind::Unauthorized,
                        format!("the token store failed: {e}"),
                    )
                })?;
                Some(token.ok_or_else(|| {
                    Error::new(
                        ErrorKind::Unauthorized,
                        "the token store holds no refresh token",
                    )
                })?)
            }
            Grant::ClientCredentials { .. } => None,
        };
        let fields = self.form(refresh.as_ref());
        let request = self
            .http
            .post(&self.token_url)
            .header(http::header::ACCEPT, "application/json");
        let request = match self.encoding {
            TokenEncoding::Form => request.form(&fields),
            TokenEncoding::Json => {
                let map: serde_json::Map<String, serde_json::Value> = fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                    .collect();
                request.json(&map)
            }
        };
        let started = Instant::now();
        // The client follows no redirect: a token endpoint that answers 3xx gets no second
        // copy of the client secret, wherever it points.
        self.counter.sent(TOKEN_OPERATION, repeat);
        let mut resp = match request.send().await {
            Ok(resp) => resp,
            // Nothing reached the server: safe to try again.
            Err(e) if e.is_connect() => {
                return Err(Attempt::Transient(crate::error::from_reqwest(e), None));
            }
            Err(e) => return Err(Attempt::Failed(crate::error::from_reqwest(e))),
        };
        let status = resp.status();
        tracing::debug!(
            api = "intacct",
            grant = self.grant.name(),
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "token request"
        );
        let headers = std::mem::take(resp.headers_mut());
        // Error and token bodies alike are read bounded: a token response is a few hundred
        // bytes, and a 100 MB answer must not cost 100 MB.
        let (body, truncated) =
            crate::transport::read_bounded(&mut resp, crate::transport::MAX_ERROR_BODY).await;
        if !status.is_success() {
            let e = super::errors::decode_oauth(
                status.as_u16(),
                &headers,
                &String::from_utf8_lossy(&body),
            );
            let e = if truncated && e.body_excerpt().is_none() {
                let msg = format!("{} (body truncated)", e.message());
                e.with_message(msg)
            } else {
                e
            };
            // The server did not take the request: a refresh token was not used up.
            return Err(if matches!(status.as_u16(), 429 | 502..=504) {
                Attempt::Transient(e, super::errors::retry_after(&headers))
            } else {
                Attempt::Failed(e)
            });
        }
        let token: TokenBody = serde_json::from_slice(&body)
            .ok()
            .filter(|_| !truncated)
            .ok_or_else(|| {
                // What happened: the endpoint said 200 and sent something that is not a token.
                let why = match serde_json::from_slice::<TokenBody>(&body) {
                    Err(e) => e.classify_str(),
                    Ok(_) => "truncated",
                };
                Error::new(
                    ErrorKind::Decode,
                    format!("the token response did not decode: {why}"),
                )
                .with_status(status.as_u16())
            })?;
        if let (Grant::RefreshToken { store, .. }, Some(rotated)) =
            (&self.grant, token.refresh_token.filter(|t| !t.is_empty()))
        {
            store.save(Secret::new(rotated)).await.map_err(|e| {
                Error::new(
                    ErrorKind::Unauthorized,
                    format!("the token store could not keep the rotated refresh token: {e}"),
                )
            })?;
        }
        let lifetime = token
            .expires_in
            .as_ref()
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .map(Duration::from_secs)
            .or_else(|| jwt_lifetime(&token.access_token))
            .unwrap_or(DEFAULT_LIFETIME);
        let header = crate::transport::bearer_header(&Secret::new(token.access_token))?;
        Ok((header, lifetime))
    }
}

/// How one token request failed.
enum Attempt {
    /// For good: the answer is the error.
    Failed(Error),
    /// The server did not take it (429, 502-504, no connection): it may be sent again, after
    /// the wait the server asked for, if it did.
    Transient(Error, Option<Duration>),
}

impl From<Error> for Attempt {
    fn from(e: Error) -> Self {
        Attempt::Failed(e)
    }
}

trait ClassifyStr {
    fn classify_str(&self) -> &'static str;
}

impl ClassifyStr for serde_json::Error {
    // The error's Display could quote part of the body, which holds the token.
    fn classify_str(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "no access_token",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// The time left before the `exp` claim of a JWT, if the token is one.
fn jwt_lifetime(token: &str) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64url(payload)?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_u64()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(exp.saturating_sub(now)))
}

fn base64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

impl Authenticate for OAuth {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, std::result::Result<(), Error>> {
        Box::pin(async move {
            let header = self.header().await?;
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, header);
            Ok(())
        })
    }

    fn on_unauthorized(&self, sent: Option<&http::HeaderValue>) -> bool {
        // Drop the token only if it is the one that was refused: a burst of 401s to requests
        // sent with the old token then costs one token request, not one per 401.
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if cached.as_ref().is_some_and(|c| Some(&c.header) == sent) {
            *cached = None;
        }
        true
    }
}

/// Puts `X-IA-API-Param-Entity` on requests that do not carry one, then the credentials;
/// requests to the token endpoint get neither. Every Intacct client's credentials sit under one.
#[derive(Debug)]
pub(crate) struct EntityAuth {
    pub(crate) entity: Option<http::HeaderValue>,
    pub(crate) inner: Arc<dyn Authenticate>,
}

/// The entity header's name.
pub(crate) const ENTITY_HEADER: &str = "x-ia-api-param-entity";

impl Authenticate for EntityAuth {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, std::result::Result<(), Error>> {
        Box::pin(async move {
            // The token endpoint authenticates the client in its body (or with Basic): it gets
            // neither a bearer token nor an entity.
            if request.url().path().ends_with("/oauth2/token") {
                return Ok(());
            }
            if let Some(entity) = &self.entity
                && !request.headers().contains_key(ENTITY_HEADER)
            {
                request.headers_mut().insert(ENTITY_HEADER, entity.clone());
            }
            self.inner.authorize(request).await
        })
    }

    fn on_unauthorized(&self, sent: Option<&http::HeaderValue>) -> bool {
        self.inner.on_unauthorized(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(check_username("ws@ACME").is_ok());
        assert!(check_username("ws@ACME|US-1").is_ok());
        for bad in ["ws", "@ACME", "ws@", "ws@ACME|", "ws@A@B", "ws@ACME|a|b"] {
            assert_eq!(
                check_username(bad).unwrap_err().kind(),
                ErrorKind::Validation,
                "{bad}"
            );
        }
    }

    #[test]
    fn jwt_exp_is_read() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let payload = format!("{{\"exp\":{}}}", now + 100);
        // base64url without padding, by hand.
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut enc = String::new();
        for chunk in payload.as_bytes().chunks(3) {
            let n =
                chunk.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                enc.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        let lifetime = jwt_lifetime(&format!("h.{enc}.s")).unwrap();
        assert!((95..=100).contains(&lifetime.as_secs()), "{lifetime:?}");
        assert_eq!(jwt_lifetime("not-a-jwt"), None);
    }
}
