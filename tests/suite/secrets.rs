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
