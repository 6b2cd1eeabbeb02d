//! The API clients: from `--sandbox`, a profile, or the environment variables the examples
//! read; a token or key may come from `--token-file` instead. Secrets are held in permkit's
//! `Secret` from there on, and never printed.

use crate::config::Profile;
use crate::spec::Api;
use crate::{Fail, Failure};
use permkit::dynamic::OperationSpec;
use permkit_sandbox::Sandbox;

/// The operation `id` of `api`, as the library lists it.
pub fn operation_info(api: Api, id: &str) -> Option<&'static OperationSpec> {
    let all = match api {
        Api::PermissionAssist => permkit::permission_assist::Client::operations(),
        Api::Perscom => permkit::perscom::Client::operations(),
        Api::Intacct => permkit::intacct::Client::operations(),
    };
    all.iter().find(|op| op.id() == id)
}

/// One API's client.
pub enum Client {
    PermissionAssist(permkit::permission_assist::Client),
    Perscom(permkit::perscom::Client),
    Intacct(permkit::intacct::Client),
}

impl Client {
    /// A call of operation `id`.
    pub fn operation(&self, id: &str) -> permkit::Result<permkit::dynamic::Operation<'_>> {
        match self {
            Client::PermissionAssist(c) => c.operation(id),
            Client::Perscom(c) => c.operation(id),
            Client::Intacct(c) => c.operation(id),
        }
    }
}

/// Where the values come from: a profile's, else the environment's.
pub struct Source {
    profile: Option<Profile>,
    token: Option<String>,
}

impl Source {
    pub fn new(profile: Option<Profile>, token: Option<String>) -> Self {
        Source { profile, token }
    }

    /// A value: the profile's (its key is the variable's name, in any case), else the
    /// environment's; empty values count as unset.
    fn var(&self, name: &str) -> Option<String> {
        // A profile refuses a key outside this list: every variable read must be in it.
        debug_assert!(
            crate::config::KEYS.contains(&name),
            "{name} is not in config::KEYS"
        );
        self.profile
            .as_ref()
            .and_then(|p| p.get(name))
            .or_else(|| std::env::var(name).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The secret `name`: `--token-file`'s when given, else [`var`](Self::var).
    fn secret(&self, name: &str) -> Option<String> {
        self.token.clone().or_else(|| self.var(name))
    }
}

fn missing(api: Api, what: &str) -> Failure {
    Failure::usage(format!(
        "no {} credentials: set {what}, name a profile with --profile, or run with --sandbox",
        api.name()
    ))
}

/// The client of `api`: on the sandbox when one is given, else from `source`.
pub fn build(api: Api, sandbox: Option<&Sandbox>, source: &Source) -> Result<Client, Failure> {
    let client = match (api, sandbox) {
        (Api::PermissionAssist, Some(s)) => Client::PermissionAssist(
            permkit::permission_assist::Client::builder(s.permission_assist_url())
                .token(Sandbox::PERMISSION_ASSIST_TOKEN)
                .build()
                .fail()?,
        ),
        (Api::Perscom, Some(s)) => Client::Perscom(
            permkit::perscom::Client::builder(s.perscom_url())
                .api_key(Sandbox::PERSCOM_API_KEY)
                .build()
                .fail()?,
        ),
        (Api::Intacct, Some(s)) => Client::Intacct(
            permkit::intacct::Client::builder(s.intacct_url())
                .client_credentials(
                    Sandbox::INTACCT_CLIENT_ID,
                    Sandbox::INTACCT_CLIENT_SECRET,
                    Sandbox::INTACCT_USERNAME,
                )
                .build()
                .fail()?,
        ),
        (Api::PermissionAssist, None) => {
            let need = "PERMISSION_ASSIST_URL and PERMISSION_ASSIST_TOKEN";
            let url = source
                .var("PERMISSION_ASSIST_URL")
                .ok_or_else(|| missing(api, need))?;
            let token = source
                .secret("PERMISSION_ASSIST_TOKEN")
                .ok_or_else(|| missing(api, need))?;
            Client::PermissionAssist(
                permkit::permission_assist::Client::builder(url)
                    .token(token)
                    .build()
                    .fail()?,
            )
        }
        (Api::Perscom, None) => {
            let need = "PERSCOM_URL and PERSCOM_API_KEY";
            let url = source
                .var("PERSCOM_URL")
                .ok_or_else(|| missing(api, need))?;
            let key = source
                .secret("PERSCOM_API_KEY")
                .ok_or_else(|| missing(api, need))?;
            let mut builder = permkit::perscom::Client::builder(url).api_key(key);
            if let Some(id) = source.var("PERSCOM_ID") {
                builder = builder.perscom_id(id);
            }
            Client::Perscom(builder.build().fail()?)
        }
        (Api::Intacct, None) => {
            let need = "INTACCT_URL with INTACCT_TOKEN (or INTACCT_CLIENT_ID, INTACCT_CLIENT_SECRET and INTACCT_USERNAME)";
            let url = source
                .var("INTACCT_URL")
                .ok_or_else(|| missing(api, need))?;
            let builder = permkit::intacct::Client::builder(url);
            let builder = match (
                source.secret("INTACCT_TOKEN"),
                source.var("INTACCT_CLIENT_ID"),
                source.var("INTACCT_CLIENT_SECRET"),
                source.var("INTACCT_USERNAME"),
            ) {
                (Some(token), ..) => builder.token(token),
                (None, Some(id), Some(secret), Some(user)) => {
                    builder.client_credentials(id, secret, user)
                }
                _ => return Err(missing(api, need)),
            };
            let builder = match source.var("INTACCT_ENTITY") {
                Some(e) => builder.entity(e),
                None => builder,
            };
            Client::Intacct(builder.build().fail()?)
        }
    };
    Ok(client)
}
