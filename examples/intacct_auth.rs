//! Intacct authentication: OAuth 2.0 client credentials with a shared, single-flight token
//! cache, entity selection per client and per call, a refresh token rotated into a store,
//! the token endpoint called by hand, and what a refused credential looks like (no secret in
//! it).
//!
//! ```text
//! cargo run --example intacct_auth
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise
//! (`INTACCT_ENTITY` names an entity to try).

use permkit::Secret;
use permkit::intacct::enums::OAuthGrantType;
use permkit::intacct::{Client, ClientBuilder, MemoryTokenStore, types};
use permkit_sandbox::Sandbox;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    let (client, real) = match ClientBuilder::from_env() {
        Some(builder) => (builder.build()?, true),
        None => (
            Client::builder(sandbox.intacct_url())
                .client_credentials(
                    Sandbox::INTACCT_CLIENT_ID,
                    Sandbox::INTACCT_CLIENT_SECRET,
                    Sandbox::INTACCT_USERNAME,
                )
                .build()?,
            false,
        ),
    };
    println!("client: {client:?}\n");

    // Twenty calls at once: one token request, shared by all.
    let calls = (0..20).map(|_| client.list_roles().send());
    let ok = futures::future::join_all(calls)
        .await
        .into_iter()
        .filter(Result::is_ok)
        .count();
    println!("{ok} of 20 concurrent calls succeeded");
    if !real {
        let tokens = sandbox
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/oauth2/token"))
            .count();
        println!("token requests: {tokens}");
    }

    // Entity per client (a cheap clone sharing the token) and per call.
    let entity = std::env::var("INTACCT_ENTITY").unwrap_or_else(|_| "UK".into());
    let in_entity = client.with_entity(&entity)?;
    let users = in_entity.list_users().send().await?;
    println!("users seen from entity {entity}: {}", users.items.len());
    let per_call = client
        .list_users()
        .x_ia_api_param_entity(entity.as_str())
        .send()
        .await?;
    println!("same with the header on one call: {}", per_call.items.len());

    if !real {
        // The token endpoint called by hand (`create_token`): with client credentials the
        // sandbox also hands out a refresh token, which a `TokenStore` keeps and rotates.
        let first = client
            .create_token()
            .body(
                types::TokenRequest::builder()
                    .grant_type(OAuthGrantType::ClientCredentials)
                    .client_id(Some(Sandbox::INTACCT_CLIENT_ID.to_string()))
                    .client_secret(Some(Secret::from(Sandbox::INTACCT_CLIENT_SECRET)))
                    .username(Some(Sandbox::INTACCT_USERNAME.to_string())),
            )
            .send()
            .await?;
        println!(
            "create_token: a {:?} token for {:?} s (shown redacted: {:?})",
            first.token_type, first.expires_in, first.access_token
        );
        let refresh = first.refresh_token.ok_or("no refresh token")?;
        let store = Arc::new(MemoryTokenStore::new(refresh));
        let refreshing = Client::builder(sandbox.intacct_url())
            .refresh_token(
                Sandbox::INTACCT_CLIENT_ID,
                Sandbox::INTACCT_CLIENT_SECRET,
                store.clone(),
            )
            .build()?;
        refreshing.list_roles().send().await?;
        println!(
            "refresh grant worked; the store now holds the rotated token: {:?}",
            store.current()
        );

        // Refused credentials: an Unauthorized error naming the OAuth code, without the secret.
        let bad = Client::builder(sandbox.intacct_url())
            .client_credentials(
                Sandbox::INTACCT_CLIENT_ID,
                "not-the-secret",
                Sandbox::INTACCT_USERNAME,
            )
            .build()?;
        let e = bad.list_roles().send().await.unwrap_err();
        println!("bad secret: kind={:?} {e}", e.kind());
    }
    Ok(())
}
