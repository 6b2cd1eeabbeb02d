//! Secrets never print: not in generated types, builders, clients or errors.

#[cfg(feature = "intacct")]
#[test]
fn generated_token_types_redact_their_secrets() {
    use permkit::intacct::types;
    let response: types::TokenResponse = serde_json::from_value(serde_json::json!({
        "access_token": "at-very-secret", "refresh_token": "rt-very-secret", "token_type": "Bearer", "expires_in": 3600
    }))
    .unwrap();
    let debug = format!("{response:?}");
    assert!(!debug.contains("very-secret"), "{debug}");
    assert_eq!(response.access_token.expose(), "at-very-secret");
    // Serialising sends the value itself (a request body must carry it).
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json["access_token"], "at-very-secret");
}

#[test]
fn secret_prints_redacted() {
    let s = permkit::Secret::new("hunter2");
    assert_eq!(
        format!("{s} {s:?} {s:#?}"),
        "[redacted] Secret([redacted]) Secret([redacted])"
    );
    let header = s.bearer_header().unwrap();
    assert!(header.is_sensitive());
    assert!(!format!("{header:?}").contains("hunter2"));
}

/// A password in a base URL would show wherever the URL does (`base_url()`, `Debug`, logs):
/// every builder refuses one, and its `Debug` hides it until then.
#[cfg(all(
    feature = "perscom",
    feature = "permission-assist",
    feature = "intacct"
))]
#[test]
fn a_base_url_with_user_info_is_refused_and_never_shown() {
    use permkit::ErrorKind;
    let url = "https://ops:hunter2@api.example.com";
    let perscom = permkit::perscom::Client::builder(url).api_key("k");
    let pa = permkit::permission_assist::Client::builder(format!("{url}/api")).token("t");
    let intacct = permkit::intacct::Client::builder(format!("{url}/ia/api/v1")).token("t");
    let oauth = permkit::intacct::Client::builder("https://api.example.com/ia/api/v1")
        .client_credentials("id", "secret", "user@ACME")
        .token_url(format!("{url}/oauth2/token"));
    let shown = format!("{perscom:?} {pa:?} {intacct:?} {oauth:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("ops:"),
        "{shown}"
    );
    assert!(
        shown.contains("https://[redacted]@api.example.com"),
        "{shown}"
    );
    let errors = [
        perscom.build().unwrap_err(),
        pa.build().unwrap_err(),
        intacct.build().unwrap_err(),
        oauth.build().unwrap_err(),
    ];
    for e in errors {
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
        assert!(e.to_string().contains("user info"), "{e}");
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
    }
}

/// A default header that carries a credential is redacted in the builder's and the client's
/// `Debug`; `Authorization`, which the API key sets on every request, is refused.
#[cfg(feature = "perscom")]
#[test]
fn a_default_header_with_a_credential_is_never_shown() {
    use permkit::perscom::Client;
    let builder = Client::builder("https://api.perscom.io")
        .api_key("k")
        .default_header("X-Api-Key", "hunter2")
        .default_header("X-Perscom-Notifications", "false");
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("\"false\""),
        "{shown}"
    );
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    let e = Client::builder("https://api.perscom.io")
        .api_key("k")
        .default_header("authorization", "Bearer hunter3")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), permkit::ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("api_key()"), "{e}");
    assert!(!format!("{e} {e:?}").contains("hunter3"));
}
