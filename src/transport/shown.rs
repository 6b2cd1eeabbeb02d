//! What a builder's `Debug` shows of the values a user gave it that may carry a secret: a URL's
//! user info (`user:password@`) and the values of headers that carry credentials. The
//! credentials themselves are `Secret`s, redacted wherever they go.

use std::fmt;

/// Headers whose values are credentials, whoever sets them (names in lower case).
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
];

/// Whether the value of header `name` (any case) is a credential: it is shown as `[redacted]`
/// in a dry run's preview and a builder's `Debug`, and marked sensitive for reqwest.
pub(crate) fn secret_header(name: &str) -> bool {
    SECRET_HEADERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// A URL as the user wrote it, kept as given; its `Debug` hides a user info's name and
/// password (`https://[redacted]@host/...`), in a URL that does not parse too. The clients
/// refuse such a URL when built.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct UrlText(pub(crate) String);

impl fmt::Debug for UrlText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0.as_str();
        // The authority runs from after the scheme's `//` to the path, query or fragment; its
        // user info ends at its last `@`, as URL parsers read it (`\` ends it as `/` does in
        // an http URL).
        let start = url.find("://").map_or(0, |i| i + 3);
        let rest = &url[start..];
        let authority = &rest[..rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len())];
        match authority.rfind('@') {
            Some(at) => {
                let shown = format!("{}[redacted]@{}", &url[..start], &rest[at + 1..]);
                fmt::Debug::fmt(&shown, f)
            }
            None => fmt::Debug::fmt(url, f),
        }
    }
}

/// Headers a user gave a builder (PERSCOM's `default_header`), in order; `Debug` shows the
/// value of a header that carries credentials as `[redacted]`.
#[cfg(feature = "perscom")]
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct HeaderList(pub(crate) Vec<(String, String)>);

#[cfg(feature = "perscom")]
impl fmt::Debug for HeaderList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, value)| {
                let shown = if secret_header(name) {
                    "[redacted]"
                } else {
                    value
                };
                (name, shown)
            }))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_with_user_info_is_shown_without_it() {
        let shown = format!(
            "{:?}",
            UrlText("https://user:hunter2@api.example.com/v2".into())
        );
        assert_eq!(shown, "\"https://[redacted]@api.example.com/v2\"");
        // An `@` later in the URL is not taken for the end of the user info.
        let shown = format!("{:?}", UrlText("https://u:p@ss@x.example/a@b".into()));
        assert_eq!(shown, "\"https://[redacted]@x.example/a@b\"");
        let shown = format!("{:?}", UrlText("https://api.example.com/v2".into()));
        assert_eq!(shown, "\"https://api.example.com/v2\"");
        // Not a URL: shown as given (the builder refuses it with its own message), but for
        // what may be user info.
        assert_eq!(format!("{:?}", UrlText("nope".into())), "\"nope\"");
        let shown = format!(
            "{:?}",
            UrlText("https://user:hunt er2@api.example.com".into())
        );
        assert_eq!(shown, "\"https://[redacted]@api.example.com\"");
        let shown = format!("{:?}", UrlText("user:hunter2@api.example.com/v2".into()));
        assert_eq!(shown, "\"[redacted]@api.example.com/v2\"");
        let shown = format!("{:?}", UrlText("https://api.example.com/v2?to=a@b".into()));
        assert_eq!(shown, "\"https://api.example.com/v2?to=a@b\"");
    }

    #[cfg(feature = "perscom")]
    #[test]
    fn a_credential_header_is_shown_redacted() {
        let headers = HeaderList(vec![
            ("X-Perscom-Notifications".into(), "false".into()),
            ("X-API-Key".into(), "hunter2".into()),
        ]);
        let shown = format!("{headers:?}");
        assert!(
            shown.contains("\"false\"") && shown.contains("[redacted]"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(secret_header("Authorization") && !secret_header("Accept"));
    }
}
