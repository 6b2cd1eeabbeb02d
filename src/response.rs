//! What a call returns: [`Pending`], the call on its way, from `send()` and `send_with_meta()`;
//! [`Response`] (status, headers, request id) beside the value from `send_with_meta()`; and
//! [`ByteStream`] for the operations whose body is not JSON.

use crate::{Error, Result};
use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A successful call's value with the response's status and headers, from `send_with_meta()`.
///
/// ```no_run
/// # #[cfg(feature = "permission-assist")]
/// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
/// let response = client.list_identities().send_with_meta().await?;
/// println!("{} {:?}", response.status(), response.request_id());
/// let page: permkit::Page<_> = response.into_inner();
/// # let _ = page;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    value: T,
    status: u16,
    headers: http::HeaderMap,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, status: u16, headers: http::HeaderMap) -> Self {
        Response {
            value,
            status,
            headers,
        }
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, without the status and headers.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The HTTP status the server answered with (a 2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    /// The request id the server or a gateway put on the response, if any (see
    /// [`Error::request_id`] for the headers read).
    pub fn request_id(&self) -> Option<&str> {
        crate::error::request_id_header(&self.headers)
    }

    /// The same response with its value converted by `f`; a conversion that fails carries
    /// the status the server answered with.
    pub(crate) fn try_map<U>(self, f: impl FnOnce(T) -> Result<U>) -> Result<Response<U>> {
        let status = self.status;
        let value = f(self.value).map_err(|e| match e.status() {
            Some(_) => e,
            None => e.with_status(status),
        })?;
        Ok(Response {
            value,
            status: self.status,
            headers: self.headers,
        })
    }
}

/// A response body as a stream of byte chunks (PERSCOM's widget operations).
///
/// ```no_run
/// # async fn demo(body: permkit::ByteStream) -> permkit::Result<()> {
/// use futures::TryStreamExt;
/// let mut body = body;
/// while let Some(chunk) = body.try_next().await? {
///     println!("{} bytes", chunk.len());
/// }
/// # Ok(()) }
/// ```
pub struct ByteStream(Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>);

impl ByteStream {
    pub(crate) fn new(s: impl Stream<Item = Result<Bytes>> + Send + 'static) -> Self {
        ByteStream(Box::pin(s))
    }

    /// Reads the whole body into memory.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let body = permkit::ByteStream::from(bytes::Bytes::from_static(b"<svg/>"));
    /// let all = body.collect().await?;
    /// assert_eq!(&all[..], b"<svg/>");
    /// # Ok::<_, permkit::Error>(()) }).unwrap();
    /// ```
    pub async fn collect(self) -> Result<Bytes> {
        let chunks: Vec<Bytes> = self.try_collect().await?;
        Ok(Bytes::from(chunks.concat()))
    }
}

impl From<Bytes> for ByteStream {
    /// A body already in memory (for tests and fakes).
    fn from(b: Bytes) -> Self {
        ByteStream::new(futures::stream::once(async move { Ok::<_, Error>(b) }))
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_next_unpin(cx)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByteStream")
    }
}

/// A call on its way: what every generated `send()` and `send_with_meta()` returns. Await it
/// for the result. Like any future it does nothing until awaited (or polled), and dropping it
/// cancels the call.
///
/// It is `Send`, so it can be spawned or held across `.await` in a multi-threaded runtime.
///
/// ```no_run
/// # #[cfg(feature = "permission-assist")]
/// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
/// let pending: permkit::Pending<'_, _> = client.list_identities().send();
/// let page = pending.await?;
/// # let _ = page;
/// # Ok(()) }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct Pending<'a, T>(Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>);

impl<'a, T> Pending<'a, T> {
    pub(crate) fn new(future: impl Future<Output = Result<T>> + Send + 'a) -> Self {
        Pending(Box::pin(future))
    }
}

impl<'a, T: 'a> Pending<'a, Response<T>> {
    /// The value alone, without the response's status and headers (what `send()` returns).
    pub(crate) fn value(self) -> Pending<'a, T> {
        Pending::new(ValueOf(self))
    }
}

/// The future of [`Pending::value`]. Written out rather than a combinator's (`map_ok`): each
/// operation's `send()` compiles it for its own type in the crate that calls it, and a
/// combinator brings its layers of adapters along.
struct ValueOf<'a, T>(Pending<'a, Response<T>>);

impl<T> Future for ValueOf<'_, T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        match self.0.0.as_mut().poll(cx) {
            Poll::Ready(Ok(response)) => Poll::Ready(Ok(response.value)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Future for Pending<'_, T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        self.0.as_mut().poll(cx)
    }
}

impl<T> fmt::Debug for Pending<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pending(..)")
    }
}
