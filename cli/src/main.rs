//! `permkit`: every operation of PERSCOM, Permission Assist and Sage Intacct from the shell,
//! generated from the same specs as the permkit clients and calling them (see README.md in
//! this folder).

mod client;
mod config;
mod output;
mod progress;
mod run;
// The library's rule for which fields are credentials (also read by build.rs).
#[path = "../../src/secret_fields.rs"]
mod secret_fields;
mod spec;
mod workflows;

use std::io::Write;
use std::process::ExitCode;

/// The exit codes (documented in `spec::EXIT_CODES` and the README).
pub mod exit {
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const UNAUTHORIZED: u8 = 4;
    pub const VALIDATION: u8 = 5;
    pub const RATE_LIMITED: u8 = 6;
    pub const UNAVAILABLE: u8 = 7;
    pub const IMPORT_FAILED: u8 = 8;
}

/// Why the command failed: a library error, or the command line's own.
#[derive(Debug)]
pub enum Failure {
    Api(permkit::Error),
    /// A message and its exit code.
    Own(String, u8),
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Own(message.into(), exit::USAGE)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Failure::Own(message.into(), exit::OTHER)
    }

    /// The exit code of this failure.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Own(_, code) => *code,
            Failure::Api(e) => kind_code(e.kind()),
        }
    }

    /// The one line on stderr, or the JSON object with `--json-errors`.
    fn report(&self, json: bool) -> String {
        match (self, json) {
            (Failure::Api(e), false) => e.to_string(),
            (Failure::Own(m, _), false) => m.clone(),
            (Failure::Api(e), true) => {
                let fields: Vec<_> = e
                    .field_errors()
                    .iter()
                    .map(|f| serde_json::json!({"field": f.field, "message": f.message, "code": f.code}))
                    .collect();
                serde_json::json!({
                    "error": e.to_string(),
                    "kind": kind_name(e.kind()),
                    "exit_code": self.code(),
                    "api": e.api().map(|a| a.as_str()),
                    "operation": e.operation(),
                    "status": e.status(),
                    "code": e.code(),
                    "message": e.message(),
                    "request_id": e.request_id(),
                    "correlation_id": e.correlation_id(),
                    "error_id": e.error_id(),
                    "support_id": e.support_id(),
                    "required_scope": e.required_scope(),
                    "retry_after_seconds": e.retry_after().map(|d| d.as_secs_f64()),
                    "field_errors": fields,
                })
                .to_string()
            }
            (Failure::Own(m, code), true) => serde_json::json!({
                "error": m,
                "kind": if *code == exit::USAGE { "usage" } else { "other" },
                "exit_code": code,
            })
            .to_string(),
        }
    }
}

/// The kind's name in snake case (`not_found`, `rate_limited`).
pub fn kind_name(kind: permkit::ErrorKind) -> String {
    let mut out = String::new();
    for (i, c) in format!("{kind:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The exit code of each kind of library error.
pub fn kind_code(kind: permkit::ErrorKind) -> u8 {
    use permkit::ErrorKind as K;
    match kind {
        K::NotFound => exit::NOT_FOUND,
        K::Unauthorized | K::Forbidden | K::PaymentRequired => exit::UNAUTHORIZED,
        K::Validation | K::Conflict | K::Unprocessable => exit::VALIDATION,
        K::RateLimited => exit::RATE_LIMITED,
        K::Server | K::Unavailable | K::Transport | K::Timeout => exit::UNAVAILABLE,
        K::InvalidRequest => exit::USAGE,
        _ => exit::OTHER,
    }
}

impl From<permkit::Error> for Failure {
    fn from(e: permkit::Error) -> Self {
        Failure::Api(e)
    }
}

/// `?` on a library result, into a [`Failure`].
pub trait Fail<T> {
    fn fail(self) -> Result<T, Failure>;
}

impl<T> Fail<T> for permkit::Result<T> {
    fn fail(self) -> Result<T, Failure> {
        self.map_err(Failure::Api)
    }
}

fn main() -> ExitCode {
    let matches = match spec::cli().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { 0 });
        }
    };
    let json_errors = matches.get_flag("json-errors");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(exit::OTHER);
        }
    };
    match runtime.block_on(run::main(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let line = failure.report(json_errors);
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{}", line);
            ExitCode::from(failure.code())
        }
    }
}
