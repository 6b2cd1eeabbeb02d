//! `permkit-sandbox`: the three mock APIs as a standalone server on loopback, with the admin
//! API under `/__admin`, for tests in any language. Serves until stopped (Ctrl-C or SIGTERM).
//!
//! ```text
//! permkit-sandbox [--port PORT] [--now RFC3339] [--quiet]
//! ```

use permkit_sandbox::Sandbox;
use std::process::ExitCode;

/// The port the server listens on unless `--port` says otherwise.
const DEFAULT_PORT: u16 = 4040;

const USAGE: &str = "\
permkit-sandbox: mock PERSCOM, Permission Assist and Sage Intacct APIs on loopback

USAGE:
    permkit-sandbox [--port PORT] [--now RFC3339] [--quiet]

OPTIONS:
    --port PORT     listen on 127.0.0.1:PORT (default 4040; 0 picks a free port)
    --now TIME      pin the sandbox's clock (e.g. 2026-01-01T00:00:00Z): the seed is
                    placed relative to it and is the same on every start
    --quiet         print nothing but errors
    -h, --help      this help

The admin API (faults, request log, workflows, clock, reset, webhooks) answers under
/__admin on the same address; GET /__admin lists its routes.";

#[derive(Debug)]
struct Args {
    port: u16,
    now: Option<chrono::DateTime<chrono::Utc>>,
    quiet: bool,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        port: DEFAULT_PORT,
        now: None,
        quiet: false,
    };
    let mut seen: Vec<String> = Vec::new();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg, None),
        };
        // A repeated option would quietly override the first, and a switch takes no value.
        let name = match flag.as_str() {
            "-q" => "--quiet",
            "-h" => "--help",
            f => f,
        };
        if seen.iter().any(|s| s == name) {
            return Err(format!("{name} is given twice"));
        }
        seen.push(name.to_string());
        if inline.is_some() && matches!(name, "--quiet" | "--help") {
            return Err(format!("{name} takes no value"));
        }
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let v = value("--port")?;
                parsed.port = v
                    .parse()
                    .map_err(|_| format!("--port takes a port number (0 to 65535), not {v:?}"))?;
            }
            "--now" => {
                let v = value("--now")?;
                let t = chrono::DateTime::parse_from_rfc3339(&v)
                    .map_err(|e| format!("--now takes an RFC 3339 time ({e}), not {v:?}"))?;
                parsed.now = Some(t.with_timezone(&chrono::Utc));
            }
            "--quiet" | "-q" => parsed.quiet = true,
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    Ok(Some(parsed))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("permkit-sandbox: {message}");
            return ExitCode::from(2);
        }
    };
    let mut builder = Sandbox::builder().port(args.port);
    if let Some(now) = args.now {
        builder = builder.now(now);
    }
    let sandbox = match builder.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "permkit-sandbox: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            return ExitCode::from(1);
        }
    };
    if !args.quiet {
        println!("{}", banner(&sandbox));
    }
    wait_for_stop().await;
    if !args.quiet {
        println!("permkit-sandbox: stopped");
    }
    ExitCode::SUCCESS
}

/// What the server prints when it is ready: each API's base URL and credentials.
fn banner(sandbox: &Sandbox) -> String {
    format!(
        "\
permkit-sandbox listening on {uri} (now: {now})
  PERSCOM            {perscom}/v2
                     API key {perscom_key} (every scope), {limited} (view scopes only)
  Permission Assist  {pa}
                     bearer token {pa_token}
  Intacct            {intacct}
                     bearer token {intacct_token}, or OAuth2 client {client_id} / {client_secret}, user {user}
  admin API          {uri}/__admin
ready",
        uri = sandbox.uri(),
        now = sandbox.now().to_rfc3339(),
        perscom = sandbox.perscom_url(),
        perscom_key = Sandbox::PERSCOM_API_KEY,
        limited = Sandbox::PERSCOM_LIMITED_API_KEY,
        pa = sandbox.permission_assist_url(),
        pa_token = Sandbox::PERMISSION_ASSIST_TOKEN,
        intacct = sandbox.intacct_url(),
        intacct_token = Sandbox::INTACCT_TOKEN,
        client_id = Sandbox::INTACCT_CLIENT_ID,
        client_secret = Sandbox::INTACCT_CLIENT_SECRET,
        user = Sandbox::INTACCT_USERNAME,
    )
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_are_read_in_both_spellings() {
        let a = args(&["--port", "0", "--now=2026-01-01T00:00:00Z", "-q"])
            .unwrap()
            .unwrap();
        assert_eq!(a.port, 0);
        assert_eq!(a.now.unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert!(a.quiet);
        assert_eq!(args(&[]).unwrap().unwrap().port, DEFAULT_PORT);
    }

    #[test]
    fn bad_arguments_are_refused_with_a_reason() {
        assert!(args(&["--port", "x"]).unwrap_err().contains("--port"));
        assert!(
            args(&["--now", "yesterday"])
                .unwrap_err()
                .contains("RFC 3339")
        );
        assert!(args(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(
            args(&["--colour"])
                .unwrap_err()
                .contains("unknown argument")
        );
        assert!(args(&["--help"]).unwrap().is_none());
    }

    #[test]
    fn a_repeated_option_or_a_switch_with_a_value_is_refused() {
        let e = args(&["--port", "4040", "--port=4041"]).unwrap_err();
        assert_eq!(e, "--port is given twice");
        assert_eq!(
            args(&["-q", "--quiet"]).unwrap_err(),
            "--quiet is given twice"
        );
        assert_eq!(args(&["--quiet=no"]).unwrap_err(), "--quiet takes no value");
    }
}
