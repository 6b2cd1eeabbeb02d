//! Credentials that never print.

use std::fmt;

/// A credential (token, API key, client secret, refresh token). Its `Debug` and `Display`
/// print `[redacted]`; read it with [`Secret::expose`] only where it is sent.
///
/// ```
/// let s = permkit::Secret::new("pa_abc123");
/// assert_eq!(format!("{s:?} {s}"), "Secret([redacted]) [redacted]");
/// assert_eq!(s.expose(), "pa_abc123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself. Call it only to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// An `Authorization: Bearer` header value, marked sensitive so that it never prints.
    ///
    /// Fails when the credential has characters a header cannot carry (a line break, a control
    /// character); the error does not show the credential.
    ///
    /// ```
    /// let header = permkit::Secret::new("pa_abc123").bearer_header().unwrap();
    /// assert!(header.is_sensitive());
    /// assert!(permkit::Secret::new("line\nbreak").bearer_header().is_err());
    /// ```
    pub fn bearer_header(&self) -> Result<http::HeaderValue, http::header::InvalidHeaderValue> {
        let mut v = http::HeaderValue::from_str(&format!("Bearer {}", self.0))?;
        v.set_sensitive(true);
        Ok(v)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

/// Serialises the credential itself: a `Secret` in a request body is sent as is.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}
