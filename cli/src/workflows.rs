//! What the generated subcommands get beyond the spec, for the jobs people schedule: the
//! Intacct query service's `--filter` and `--order-by`, a Permission Assist import upload that
//! `--wait`s for the import to finish; and the generated shell completions and man page.

use crate::client::Client;
use crate::output::Output;
use crate::progress::Progress;
use crate::run::Run;
use crate::spec::Api;
use crate::{Fail, Failure, exit};
use clap::{Arg, ArgAction, ArgMatches, Command};
use permkit::intacct::query::{QueryFilter, QueryOp};
use serde_json::Value;
use std::time::{Duration, Instant};

const QUERY: &str = "query";
const UPLOAD: &str = "upload_application_import";

/// The flags one subcommand gets beyond its spec.
pub fn extend(api: Api, id: &str, sub: Command) -> Command {
    match (api, id) {
        (Api::Intacct, QUERY) => sub
            .arg(
                Arg::new("filter")
                    .long("filter")
                    .value_name("FIELD OP VALUE")
                    .action(ArgAction::Append)
                    .help("A condition, e.g. 'module eq CO', 'id in A,B', 'name contains Admin' (repeat for more; numbered from 1 for --filter-expression)"),
            )
            .arg(
                Arg::new("order-by")
                    .long("order-by")
                    .value_name("FIELD[:asc|desc]")
                    .action(ArgAction::Append)
                    .help("A sort key (repeat for more)"),
            ),
        (Api::PermissionAssist, UPLOAD) => sub
            .arg(
                Arg::new("wait")
                    .long("wait")
                    .action(ArgAction::SetTrue)
                    .help("Poll the import until it is Finished (exit 0), Failed or Canceled (exit 8)"),
            )
            .arg(
                Arg::new("wait-timeout")
                    .long("wait-timeout")
                    .value_name("SECS")
                    .value_parser(clap::value_parser!(u64))
                    .default_value("3600")
                    .requires("wait")
                    .help("With --wait: give up after SECS (exit 7)"),
            )
            .arg(
                Arg::new("poll-interval")
                    .long("poll-interval")
                    .value_name("SECS")
                    .value_parser(clap::value_parser!(u64).range(1..))
                    .default_value("5")
                    .requires("wait")
                    .help("With --wait: seconds between polls"),
            ),
        _ => sub,
    }
}

/// The body with what the workflow flags add (`--filter`, `--order-by` of Intacct's query).
pub fn extend_body(run: &Run<'_>, body: Option<Value>) -> Result<Option<Value>, Failure> {
    if (run.api, run.command.id) != (Api::Intacct, QUERY) {
        return Ok(body);
    }
    let filters: Vec<&String> = run
        .args
        .get_many::<String>("filter")
        .into_iter()
        .flatten()
        .collect();
    let orders: Vec<&String> = run
        .args
        .get_many::<String>("order-by")
        .into_iter()
        .flatten()
        .collect();
    if filters.is_empty() && orders.is_empty() {
        return Ok(body);
    }
    let mut body = body.unwrap_or_else(|| Value::Object(Default::default()));
    let map = body
        .as_object_mut()
        .ok_or_else(|| Failure::usage("--body must be a JSON object"))?;
    for f in filters {
        let filter =
            parse_filter(f).map_err(|why| Failure::usage(format!("--filter '{f}': {why}")))?;
        map.entry("filters")
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| Failure::usage("the body's filters is not a list"))?
            .push(filter.to_json());
    }
    for o in orders {
        let (field, order) = o.split_once(':').unwrap_or((o.as_str(), "asc"));
        if !matches!(order, "asc" | "desc") {
            return Err(Failure::usage(format!(
                "--order-by {o}: the order is asc or desc"
            )));
        }
        map.entry("orderBy")
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| Failure::usage("the body's orderBy is not a list"))?
            .push(serde_json::json!({ field: order }));
    }
    Ok(Some(body))
}

/// `FIELD OP VALUE` as the library's query filter: OP is an operator of Intacct's query
/// service with or without its `$` (`eq`, `$in`, `startsWith`...); a list operator's value is
/// comma-separated; `null` is JSON null (`status eq null`).
pub fn parse_filter(text: &str) -> Result<QueryFilter, String> {
    let mut parts = text.trim().splitn(3, char::is_whitespace);
    let field = parts.next().filter(|f| !f.is_empty()).ok_or("no field")?;
    let op_text = parts.next().ok_or("no operator")?;
    let op_name = if op_text.starts_with('$') {
        op_text.to_string()
    } else {
        format!("${op_text}")
    };
    let op = QueryOp::ALL
        .into_iter()
        .find(|o| o.as_str().eq_ignore_ascii_case(&op_name))
        .ok_or_else(|| {
            let names: Vec<_> = QueryOp::ALL
                .iter()
                .map(|o| o.as_str().trim_start_matches('$'))
                .collect();
            format!("no operator `{op_text}` (one of {})", names.join(", "))
        })?;
    let value = parts.next().map(str::trim).unwrap_or_default();
    let scalar = |s: &str| -> Value {
        if s == "null" {
            Value::Null
        } else if let Ok(n) = s.parse::<i64>() {
            Value::from(n)
        } else if let Ok(b) = s.parse::<bool>() {
            Value::Bool(b)
        } else {
            Value::String(s.to_string())
        }
    };
    let operand = match op {
        QueryOp::In | QueryOp::NotIn | QueryOp::Between | QueryOp::NotBetween => {
            Value::Array(value.split(',').map(|s| scalar(s.trim())).collect())
        }
        _ if value.is_empty() => return Err("no value".into()),
        _ => scalar(value),
    };
    let filter = QueryFilter::new(op, field, operand);
    Ok(filter)
}

pub fn is_upload_wait(run: &Run<'_>) -> bool {
    (run.api, run.command.id) == (Api::PermissionAssist, UPLOAD) && run.args.get_flag("wait")
}

/// Uploads an import with progress, then polls it until it is done: the import's last state
/// goes to stdout, each change of status to stderr; exit 0 when Finished, 8 when Failed or
/// Canceled, 7 when the wait timed out. On the embedded sandbox, which has no import builder,
/// the command plays it: the import goes Running, then Finished.
pub async fn upload_and_wait(
    run: &Run<'_>,
    client: &Client,
    operation: permkit::dynamic::Operation<'_>,
    out: &mut Output,
) -> Result<(), Failure> {
    let counter = permkit::upload::Progress::new();
    let shown = Progress::bytes(run.globals.quiet);
    let import = shown
        .watch(operation.progress(counter.clone()).send(), counter)
        .await
        .fail()?;
    let id = import["id"]
        .as_str()
        .ok_or_else(|| Failure::other("the upload's answer has no import id"))?
        .to_string();
    if let Some(sandbox) = run.sandbox
        && let Ok(uuid) = id.parse()
    {
        let _ = sandbox.set_import_status(uuid, "Running");
        let _ = sandbox.set_import_status(uuid, "Finished");
    }
    let timeout = Duration::from_secs(*run.args.get_one::<u64>("wait-timeout").unwrap_or(&3600));
    let every = Duration::from_secs(*run.args.get_one::<u64>("poll-interval").unwrap_or(&5));
    let started = Instant::now();
    let mut last = import["status"].as_str().unwrap_or_default().to_string();
    note(run, &format!("import {id} ({}): {last}", import["number"]));
    loop {
        let current = client
            .operation("get_application_import")
            .fail()?
            .path("id", &id)
            .send()
            .await
            .fail()?;
        let status = current["status"].as_str().unwrap_or_default().to_string();
        if status != last {
            note(run, &format!("import {id}: {status}"));
            last = status.clone();
        }
        match status.as_str() {
            "Finished" => return out.value(&current),
            "Failed" | "Canceled" => {
                out.value(&current)?;
                return Err(Failure::Own(
                    format!("import {id} ended {status}"),
                    exit::IMPORT_FAILED,
                ));
            }
            _ => {}
        }
        if started.elapsed() >= timeout {
            out.value(&current)?;
            return Err(Failure::Own(
                format!(
                    "import {id} is still {status} after {} s (--wait-timeout)",
                    timeout.as_secs()
                ),
                exit::UNAVAILABLE,
            ));
        }
        tokio::time::sleep(
            every
                .min(timeout.saturating_sub(started.elapsed()))
                .max(Duration::from_millis(10)),
        )
        .await;
    }
}

/// A line of progress on stderr (none with `--quiet`).
fn note(run: &Run<'_>, line: &str) {
    if !run.globals.quiet {
        eprintln!("{line}");
    }
}

/// `permkit completions <shell>`.
pub fn completions(args: &ArgMatches) -> Result<(), Failure> {
    use clap_complete::Shell;
    let shell = match args.get_one::<String>("shell").map(String::as_str) {
        Some("zsh") => Shell::Zsh,
        Some("fish") => Shell::Fish,
        _ => Shell::Bash,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut crate::spec::cli(), "permkit", &mut out);
    Output::new(crate::output::Format::Json, None).raw(&String::from_utf8_lossy(&out))
}

/// `permkit man`: clap's page of the root command, then a section per API listing its
/// operations (name and summary), the exit statuses and the environment.
pub fn man_page() -> Result<(), Failure> {
    let mut out = Vec::new();
    clap_mangen::Man::new(crate::spec::cli())
        .render(&mut out)
        .map_err(|e| Failure::other(format!("cannot render the man page: {e}")))?;
    let mut page = String::from_utf8_lossy(&out).into_owned();
    for api in Api::ALL {
        page.push_str(&format!(
            ".SH \"{} OPERATIONS\"\n",
            roff(&api.name().to_ascii_uppercase())
        ));
        page.push_str(&format!(
            "permkit {} <operation> [args]; permkit {} <operation> \\-\\-help for its options.\n",
            roff(api.name()),
            roff(api.name())
        ));
        for command in api.commands() {
            page.push_str(&format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                roff(command.name),
                roff(command.summary)
            ));
        }
    }
    page.push_str(".SH \"EXIT STATUS\"\n.nf\n");
    for line in crate::spec::EXIT_CODES.lines().skip(1) {
        page.push_str(&roff(line.trim_start()));
        page.push('\n');
    }
    page.push_str(".fi\n.SH ENVIRONMENT\n");
    for api in Api::ALL {
        page.push_str(&format!(".PP\n{}\n", roff(api.env_help())));
    }
    page.push_str(&format!(
        ".PP\n{}\n",
        roff(
            "Profiles: PERMKIT_PROFILE (or --profile) names a section of $PERMKIT_CONFIG, else \
             $XDG_CONFIG_HOME/permkit/config, else ~/.config/permkit/config; a file its group or \
             others can access is refused."
        )
    ));
    Output::new(crate::output::Format::Json, None).raw(&page)
}

/// Text for a roff line: backslashes and hyphens escaped, a leading `.` or `'` guarded.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_as_the_library_writes_them() {
        let f = parse_filter("module eq CO").unwrap();
        assert_eq!(f.to_json(), serde_json::json!({"$eq": {"module": "CO"}}));
        let f = parse_filter("id $in A,B").unwrap();
        assert_eq!(f.to_json(), serde_json::json!({"$in": {"id": ["A", "B"]}}));
        let f = parse_filter("name startsWith Admin user").unwrap();
        assert_eq!(
            f.to_json(),
            serde_json::json!({"$startsWith": {"name": "Admin user"}})
        );
        assert!(parse_filter("x like y").is_err());
        assert!(parse_filter("x eq").is_err());
    }
}
