//! What every generated client gets the same way: the include of the build script's output,
//! the open enums beside its types, and the functions its rewritten `send()` calls
//! (`build/surface.rs`): the request goes through the shared [`transport`](crate::transport),
//! the answer comes back as permkit's own types.

use crate::transport::{Call, Inner, Received, Reply, call, exec};
use crate::{ByteStream, Error, ErrorKind, FieldError, Pending, Response, Result};
use futures::TryStreamExt;

/// Includes the generated client of one API (`$name` is its `OUT_DIR` file stem) into the
/// calling module, as `Client`, `builder` and `types` (with the open enums).
macro_rules! generated_api {
    ($name:literal) => {
        /// The open enums of the spec (also re-exported in [`types`]).
        pub mod enums {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_enums.rs"));
        }

        #[allow(missing_docs, clippy::all, unused_imports, rustdoc::all, dead_code)]
        mod generated {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_client.rs"));
        }

        /// Request and response types, generated from the spec, and the open enums.
        pub mod types {
            pub use super::enums::*;
            pub use super::generated::types::*;
        }

        /// Request builders: one per operation, made by the `Client` method of the same name;
        /// optional parameters and bodies are setters, `send()` sends.
        pub mod builder {
            pub use super::generated::builder::*;
        }

        pub use generated::Client;

        impl Client {
            /// The requests this client sent so far, per operation, retries counted apart:
            /// what a job cost. Clients made from this one share its counts.
            ///
            /// ```no_run
            #[doc = concat!("# fn demo(client: &permkit::", $name, "::Client) {")]
            /// let counts = client.request_counts();
            /// println!("{} requests, {} of them retries", counts.sent(), counts.retries());
            /// # }
            /// ```
            pub fn request_counts(&self) -> $crate::RequestCounts {
                self.inner.request_counts()
            }
        }

        mod operations {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_operations.rs"));
        }
        /// Every operation of the spec (`permkit::dynamic`).
        pub(crate) use operations::OPERATIONS;

        mod read_only {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_read_only.rs"));
        }
        /// Operations that only read although they are POSTs: retried like a GET.
        pub(crate) use read_only::READ_ONLY;

        #[allow(missing_docs, dead_code, unused_imports)]
        mod set_aside {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_set_aside.rs"));
        }
        #[allow(unused_imports)]
        pub(crate) use set_aside::SET_ASIDE;
    };
}

pub(crate) use generated_api;

/// Refuses a path parameter that would not stay one segment of the URL: `.` and `..` are dot
/// segments (the URL would climb), and an empty value would address the collection. Every
/// other value is percent-encoded into one segment by the generated code.
pub(crate) fn path_segment(value: &str, name: &str) -> std::result::Result<(), String> {
    match value {
        "" => Err(format!("`{name}` must not be empty")),
        "." | ".." => Err(format!(
            "`{name}` must not be `{value}`: a path parameter is one segment of the URL"
        )),
        _ => Ok(()),
    }
}

/// The header map of one request (every generated `request()` calls it, see
/// `build/headers.rs`): the fixed headers (`Accept`, `api-version`), then each header parameter
/// that is set, in that order. A parameter's value that is no valid header value refuses the
/// request, as the generated conversion did.
// The error every generated `request()` returns, passed on as it is.
#[allow(clippy::result_large_err)]
pub(crate) fn header_map(
    fixed: &[(&'static str, &'static str)],
    params: &[(&'static str, Option<String>)],
) -> std::result::Result<http::HeaderMap, progenitor_client::Error<()>> {
    let mut map = http::HeaderMap::with_capacity(fixed.len() + params.len());
    for &(name, value) in fixed {
        map.append(
            http::HeaderName::from_static(name),
            http::HeaderValue::from_static(value),
        );
    }
    for &(name, ref value) in params {
        if let Some(value) = value {
            map.append(name, http::HeaderValue::try_from(value.as_str())?);
        }
    }
    Ok(map)
}

/// Why the request builder made no request, named with its operation.
///
/// A body value the spec forbids (too long, outside a pattern, not one of the allowed values)
/// is [`ErrorKind::Validation`] with one [`FieldError`] on the field's JSON path
/// (`identity.firstName: must be at most 256 characters`), the shape of the server's own
/// refusal, so one handler serves both; no status, as nothing was sent. A request that cannot
/// be made at all (a required value missing, a parameter value the setter could not take, a
/// path segment `..`) is [`ErrorKind::InvalidRequest`].
pub(crate) fn request_error(e: progenitor_client::Error<()>, operation: &str) -> Error {
    let message = match e {
        progenitor_client::Error::InvalidRequest(m) | progenitor_client::Error::Custom(m) => m,
        other => other.to_string(),
    };
    let refused = refusal(unwrapped_body(&message)).or_else(|| parameter_refusal(&message));
    if let Some((path, why)) = refused {
        return Error::new(ErrorKind::Validation, "refused before sending")
            .with_field_errors([FieldError::new(path, why)])
            .with_operation(operation);
    }
    Error::new(ErrorKind::InvalidRequest, format!("{operation}: {message}"))
        .with_operation(operation)
}

/// The message inside progenitor's wording for a body that could not be converted
/// (``conversion to `X` for body failed: {message}``), or the message as it is.
fn unwrapped_body(message: &str) -> &str {
    message
        .strip_prefix("conversion to `")
        .and_then(|rest| rest.split_once("` for body failed: "))
        .map_or(message, |(_, inner)| inner)
}

fn called<'a>(operation: &'a str, template: &'a str) -> Call<'a> {
    Call {
        template: Some(template),
        ..Call::new(operation)
    }
}

/// What a generated builder's `request()` made: the request, or why it could not be made.
pub(crate) type Made = std::result::Result<reqwest::Request, progenitor_client::Error<()>>;

/// Sends what `request()` made and reads the whole answer. Not generic: the generated
/// operations share this one future, and only decoding is instantiated per type.
async fn receive(
    client: &reqwest::Client,
    inner: &Inner,
    request: Made,
    (operation, template): (&str, &str),
) -> Result<Reply> {
    let request = request.map_err(|e| request_error(e, operation))?;
    call(client, inner, request, called(operation, template)).await
}

/// A JSON success body's decoder, compiled in permkit, once per type.
///
/// The generated `send()`s are `#[inline]`: a crate that calls an operation compiles its
/// future. If that future called serde itself, every such crate (each example, each test
/// binary, the user's) would compile the deserializers of the operation's type again, and
/// through PERSCOM's relations one type reaches most of the others. The build script
/// implements this trait for each type an operation answers with ([`decoded_here`]); the
/// impls of a crate-private trait are compiled in the crate that defines them, and callers
/// link to them.
pub(crate) trait Decode: Sized {
    fn decode(api: crate::Api, operation: &str, reply: &Reply) -> Result<Self>;
}

/// Implements [`Decode`] for each of the generated types named (`build/surface.rs` writes
/// the call, with the types that JSON success bodies decode as).
macro_rules! decoded_here {
    ($($ty:ty),* $(,)?) => {
        $(
            impl $crate::generated::Decode for $ty {
                fn decode(
                    api: $crate::Api,
                    operation: &str,
                    reply: &$crate::transport::Reply,
                ) -> $crate::Result<Self> {
                    $crate::transport::decode_json(api, operation, reply)
                }
            }
        )*
    };
}

pub(crate) use decoded_here;

// A JSON object the spec gives no schema of its own (PERSCOM's `update_widget_livewire`): the
// one success type today that is not a generated one.
decoded_here!(serde_json::Map<String, serde_json::Value>);

/// Sends what `request()` made, decodes its JSON body as `E` and picks the value out of it
/// (`Err` names a field the body lacks). The generated `send_with_meta()` returns this future
/// as it is, so no operation compiles a state machine of its own.
pub(crate) fn json<'a, E, T>(
    client: &'a reqwest::Client,
    inner: &'a Inner,
    request: Made,
    (operation, template): (&'static str, &'static str),
    pick: fn(E) -> std::result::Result<T, &'static str>,
) -> Pending<'a, Response<T>>
where
    E: Decode + 'a,
    T: 'a,
{
    Pending::new(Json {
        reply: received(client, inner, request, (operation, template)),
        api: inner.api,
        operation,
        pick,
    })
}

/// [`receive`]'s future, boxed here: one type, compiled in permkit, for every operation's
/// [`Json`].
fn received<'a>(
    client: &'a reqwest::Client,
    inner: &'a Inner,
    request: Made,
    ids: (&'static str, &'static str),
) -> futures::future::BoxFuture<'a, Result<Reply>> {
    Box::pin(receive(client, inner, request, ids))
}

/// The future of [`json`]: the answer, then its decoding. Written out rather than a
/// combinator's (`map`): the crate that calls an operation compiles it for the operation's
/// types, and a combinator brings its layers of adapters along.
struct Json<'a, E, T> {
    reply: futures::future::BoxFuture<'a, Result<Reply>>,
    api: crate::Api,
    operation: &'static str,
    pick: fn(E) -> std::result::Result<T, &'static str>,
}

impl<E: Decode, T> std::future::Future for Json<'_, E, T> {
    type Output = Result<Response<T>>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let reply = match self.reply.as_mut().poll(cx) {
            std::task::Poll::Ready(reply) => reply,
            std::task::Poll::Pending => return std::task::Poll::Pending,
        };
        let (api, operation, pick) = (self.api, self.operation, self.pick);
        std::task::Poll::Ready(reply.and_then(|reply| {
            let env = E::decode(api, operation, &reply)?;
            Response::new(env, reply.status, reply.headers)
                .try_map(|env| pick(env).map_err(|field| missing(field, api, operation)))
        }))
    }
}

/// Sends what `request()` made; its answer has no body worth reading (204).
#[cfg_attr(not(feature = "intacct"), allow(dead_code))]
pub(crate) fn unit<'a>(
    client: &'a reqwest::Client,
    inner: &'a Inner,
    request: Made,
    (operation, template): (&'static str, &'static str),
) -> Pending<'a, Response<()>> {
    Pending::new(async move {
        let reply = receive(client, inner, request, (operation, template)).await?;
        Ok(Response::new((), reply.status, reply.headers))
    })
}

/// Sends what `request()` made and streams its body.
#[cfg_attr(not(feature = "perscom"), allow(dead_code))]
pub(crate) fn bytes<'a>(
    client: &'a reqwest::Client,
    inner: &'a Inner,
    request: Made,
    (operation, template): (&'static str, &'static str),
) -> Pending<'a, Response<ByteStream>> {
    Pending::new(async move {
        let request = request.map_err(|e| request_error(e, operation))?;
        let call = Call {
            read_body: false,
            ..called(operation, template)
        };
        let (mut resp, permit) = match exec(client, inner, request, call).await? {
            Received::Streaming(resp, permit) => (resp, permit),
            Received::Read(reply) => {
                let body = ByteStream::from(reply.body);
                return Ok(Response::new(body, reply.status, reply.headers));
            }
        };
        let status = resp.status().as_u16();
        let headers = std::mem::take(resp.headers_mut());
        let (api, op) = (inner.api, operation.to_string());
        let body = resp.bytes_stream().map_err(move |e| {
            // The slot under the client's request limit is held until the body is dropped.
            let _held = &permit;
            crate::error::from_reqwest(e)
                .with_api(api)
                .with_operation(op.clone())
        });
        Ok(Response::new(ByteStream::new(body), status, headers))
    })
}

/// A success body without the field that holds its value.
#[cfg_attr(not(any(feature = "perscom", feature = "intacct")), allow(dead_code))]
pub(crate) fn missing(field: &str, api: crate::Api, operation: &str) -> Error {
    Error::new(ErrorKind::Decode, format!("the response has no `{field}`"))
        .with_api(api)
        .with_operation(operation)
}

/// A required setter's value, or why it was refused.
pub(crate) fn set<V: TryInto<T>, T>(value: V, refused: &str) -> std::result::Result<T, String> {
    value.try_into().map_err(|_| refused.to_string())
}

/// An optional setter's value, or why it was refused.
pub(crate) fn set_some<V: TryInto<T>, T>(
    value: V,
    refused: &str,
) -> std::result::Result<Option<T>, String> {
    value.try_into().map(Some).map_err(|_| refused.to_string())
}

/// A body builder setter's value, or why it was refused (see [`refused`]). `field` is the
/// field's JSON name (`firstName`), which the build script puts in every setter.
pub(crate) fn convert<V, T>(value: V, field: &str) -> std::result::Result<T, String>
where
    V: TryInto<T>,
    V::Error: std::fmt::Display,
{
    value.try_into().map_err(|e| refused(field, &e))
}

/// An operation builder's body, from a value or anything that converts into one, kept as the
/// builder `B` of the body type `T`; or why it was refused, after `refused` (``conversion to `T`
/// for body failed``), as [`request_error`] reads it.
pub(crate) fn body<V, T, B>(value: V, refused: &str) -> std::result::Result<B, String>
where
    V: TryInto<T>,
    V::Error: std::fmt::Display,
    B: From<T>,
{
    value
        .try_into()
        .map(B::from)
        .map_err(|e| format!("{refused}: {e}"))
}

/// How the generated builders say a required value was not set (`no value supplied for
/// last_name`, naming the setter).
const MISSING: &str = "no value supplied for ";

/// Why a body builder's `field` refused a value, as the text the builder keeps (its errors are
/// strings, down to the request builder's): ``"`path`: message"``, the path in the body's JSON
/// names (`` `identity.firstName`: must be at most 256 characters``), which
/// [`request_error`] turns into a field error. A nested body's refusal gets `field` in front
/// of its path; a nested body's missing value stays a missing value (`no value supplied for
/// identity.last_name`); any other reason is the value's own, in plain words ([`plain`]).
/// Not generic, so that the setters' one generic function stays one line.
fn refused(field: &str, reason: &dyn std::fmt::Display) -> String {
    let reason = reason.to_string();
    if let Some((path, why)) = refusal(&reason) {
        format!("`{field}.{path}`: {why}")
    } else if let Some(setter) = reason.strip_prefix(MISSING) {
        format!("{MISSING}{field}.{setter}")
    } else {
        format!("`{field}`: {}", plain(&reason))
    }
}

/// The `(path, message)` of a text [`refused`] made; `None` for any other text (a path has no
/// backtick, so `` `id` must not be `..`: ... `` is not one).
fn refusal(text: &str) -> Option<(&str, &str)> {
    let (path, why) = text.strip_prefix('`')?.split_once("`: ")?;
    (!path.is_empty() && !path.contains('`')).then_some((path, why))
}

/// A parameter setter's refusal (``"`page` must be a number of 1 or more"``, written by the
/// build for each setter) as its parameter and the reason.
fn parameter_refusal(text: &str) -> Option<(&str, &str)> {
    let (name, why) = text.strip_prefix('`')?.split_once("` ")?;
    // "must be ..." is a setter's refusal; a path segment's "must not be `..`" is a URL that
    // cannot be made, and stays an invalid request.
    (!name.is_empty() && !name.contains('`') && why.starts_with("must be ")).then_some((name, why))
}

/// The generated types' conversion messages in plain words: "longer than 256 characters" is
/// "must be at most 256 characters". Any other message is kept.
fn plain(reason: &str) -> String {
    let count = |n: &str| {
        let unit = if n == "1" { "character" } else { "characters" };
        format!("{n} {unit}")
    };
    if let Some(n) = reason
        .strip_prefix("longer than ")
        .and_then(|r| r.strip_suffix(" characters"))
    {
        format!("must be at most {}", count(n))
    } else if let Some(n) = reason
        .strip_prefix("shorter than ")
        .and_then(|r| r.strip_suffix(" characters"))
    {
        format!("must be at least {}", count(n))
    } else if let Some(pattern) = reason
        .strip_prefix("doesn't match pattern \"")
        .and_then(|r| r.strip_suffix('"'))
    {
        format!("must match the pattern {pattern}")
    } else if reason == "invalid value" {
        "is not one of the allowed values".to_string()
    } else {
        reason.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_body_value_is_a_validation_error_on_its_json_path() {
        let leaf = refused("firstName", &"longer than 256 characters");
        assert_eq!(leaf, "`firstName`: must be at most 256 characters");
        let nested = refused("identity", &leaf);
        let message = format!("conversion to `OnboardRequest` for body failed: {nested}");
        let e = request_error(
            progenitor_client::Error::InvalidRequest(message),
            "create_onboard_event",
        );
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.status(), None);
        assert_eq!(e.operation(), Some("create_onboard_event"));
        assert_eq!(
            e.field_errors(),
            [FieldError::new(
                "identity.firstName",
                "must be at most 256 characters"
            )]
        );
    }

    #[test]
    fn what_cannot_be_built_stays_an_invalid_request_and_a_parameter_out_of_range_does_not() {
        let missing = refused("identity", &"no value supplied for last_name");
        assert_eq!(missing, "no value supplied for identity.last_name");
        let e = request_error(
            progenitor_client::Error::InvalidRequest("`page` must be a number of 1 or more".into()),
            "op",
        );
        assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
        assert_eq!(
            e.field_errors(),
            [FieldError::new("page", "must be a number of 1 or more")]
        );
        for message in [
            missing,
            "`id` must not be `..`: a path parameter is one segment of the URL".into(),
            "conversion to `SearchRequest` for body failed: validation: `in` needs a list".into(),
        ] {
            let e = request_error(progenitor_client::Error::InvalidRequest(message), "op");
            assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
            assert!(e.field_errors().is_empty(), "{e}");
        }
    }

    #[test]
    fn the_generated_messages_in_plain_words() {
        for (generated, plain_words) in [
            ("longer than 1 characters", "must be at most 1 character"),
            ("shorter than 1 characters", "must be at least 1 character"),
            ("shorter than 3 characters", "must be at least 3 characters"),
            (
                "doesn't match pattern \"^#([A-Fa-f0-9]{6})$\"",
                "must match the pattern ^#([A-Fa-f0-9]{6})$",
            ),
            ("invalid value", "is not one of the allowed values"),
            ("not a date-time: soon", "not a date-time: soon"),
        ] {
            assert_eq!(plain(generated), plain_words);
        }
    }
}
