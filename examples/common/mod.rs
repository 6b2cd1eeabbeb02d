//! What the examples share: the client for each API (a real server when its variables are set,
//! the embedded sandbox otherwise) and the rule for changing data.
//!
//! On the sandbox every example writes. Against a real server an example
//! - only reads, unless `PERMKIT_TOUR_WRITES=1`: then it may create objects of its own (and
//!   removes them again where the API can);
//! - changes an existing record (a person, a role's rights) only when the user named it in
//!   `PERMKIT_EXAMPLE_TARGET_ID`. It never picks one from a list.
//!
//! Each example uses part of this module.
#![allow(dead_code)]

use permkit_sandbox::Sandbox;
use std::error::Error;
use std::str::FromStr;

/// An example's result.
pub type Outcome = Result<(), Box<dyn Error>>;

/// The variable that names the one existing record an example may change on a real server.
pub const TARGET: &str = "PERMKIT_EXAMPLE_TARGET_ID";

/// Where an example runs, and what it may change there.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    real: bool,
}

impl Run {
    fn new(real: bool, api: &str) -> Run {
        if real {
            println!("{api}: the real server from the environment");
        } else {
            println!("{api}: the embedded sandbox (set the API's variables for a real server)");
        }
        Run { real }
    }

    /// Whether this talks to a real server.
    pub fn real(&self) -> bool {
        self.real
    }

    /// Whether the example may create `what` (objects of its own): always on the sandbox, on a
    /// real server only with `PERMKIT_TOUR_WRITES=1`. Prints a line when it may not.
    pub fn creates(&self, what: &str) -> bool {
        let ok = !self.real || var("PERMKIT_TOUR_WRITES").as_deref() == Some("1");
        if !ok {
            println!("(skipped on a real server: {what}; set PERMKIT_TOUR_WRITES=1 to run it)");
        }
        ok
    }

    /// The existing record the example may change: on the sandbox `sandbox_pick`, on a real
    /// server only the one named by `PERMKIT_EXAMPLE_TARGET_ID`. Prints a line when there is none.
    pub fn target<T>(
        &self,
        sandbox_pick: Option<T>,
        what: &str,
    ) -> Result<Option<T>, Box<dyn Error>>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        if !self.real {
            if sandbox_pick.is_none() {
                println!("(nothing in the sandbox to {what})");
            }
            return Ok(sandbox_pick);
        }
        match var(TARGET) {
            Some(id) => id.trim().parse().map(Some).map_err(|e| {
                format!("{TARGET}={id} is not an id this example can use: {e}").into()
            }),
            None => {
                println!(
                    "(skipped on a real server: {what} changes an existing record; name it in {TARGET} to run it)"
                );
                Ok(None)
            }
        }
    }
}

/// A variable, if set and not empty.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Seconds since 1970, to make names of created objects unique.
pub fn stamp() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A Permission Assist client: `PERMISSION_ASSIST_URL` and `PERMISSION_ASSIST_TOKEN`, or the
/// sandbox.
#[cfg(feature = "permission-assist")]
pub fn permission_assist(
    sandbox: &Sandbox,
) -> Result<(permkit::permission_assist::Client, Run), Box<dyn Error>> {
    use permkit::permission_assist::{Client, ClientBuilder};
    Ok(match ClientBuilder::from_env() {
        Some(builder) => (builder.build()?, Run::new(true, "Permission Assist")),
        None => (
            Client::builder(sandbox.permission_assist_url())
                .token(Sandbox::PERMISSION_ASSIST_TOKEN)
                .build()?,
            Run::new(false, "Permission Assist"),
        ),
    })
}

/// A PERSCOM client: `PERSCOM_URL`, `PERSCOM_API_KEY` and the optional `PERSCOM_ID`, or the
/// sandbox (with the key that holds every scope).
#[cfg(feature = "perscom")]
pub fn perscom(sandbox: &Sandbox) -> Result<(permkit::perscom::Client, Run), Box<dyn Error>> {
    use permkit::perscom::{Client, ClientBuilder};
    Ok(match ClientBuilder::from_env() {
        Some(builder) => (builder.build()?, Run::new(true, "PERSCOM")),
        None => (
            Client::builder(sandbox.perscom_url())
                .api_key(Sandbox::PERSCOM_API_KEY)
                .build()?,
            Run::new(false, "PERSCOM"),
        ),
    })
}

/// An Intacct client: `INTACCT_URL` with `INTACCT_TOKEN` or the OAuth2 client variables, or the
/// sandbox (client credentials).
#[cfg(feature = "intacct")]
pub fn intacct(sandbox: &Sandbox) -> Result<(permkit::intacct::Client, Run), Box<dyn Error>> {
    use permkit::intacct::{Client, ClientBuilder};
    Ok(match ClientBuilder::from_env() {
        Some(builder) => (builder.build()?, Run::new(true, "Sage Intacct")),
        None => (
            Client::builder(sandbox.intacct_url())
                .client_credentials(
                    Sandbox::INTACCT_CLIENT_ID,
                    Sandbox::INTACCT_CLIENT_SECRET,
                    Sandbox::INTACCT_USERNAME,
                )
                .build()?,
            Run::new(false, "Sage Intacct"),
        ),
    })
}
