//! One command: the client, the call built from the arguments, the request sent (or shown),
//! the answer written.

use crate::client::{self, Client, Source};
use crate::output::{Format, Output};
use crate::progress::Progress;
use crate::spec::{self, Api, BodyKind, Command, Location};
use crate::{Fail, Failure};
use clap::ArgMatches;
use futures::TryStreamExt;
use permkit::dynamic::Operation;
use serde_json::Value;

/// The options every operation shares.
pub struct Globals {
    pub format: Format,
    pub columns: Option<Vec<String>>,
    pub quiet: bool,
    pub dry_run: bool,
}

pub async fn main(matches: &ArgMatches) -> Result<(), Failure> {
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| Failure::usage("no command"))?;
    match name {
        "completions" => return crate::workflows::completions(sub),
        "man" => return crate::workflows::man_page(),
        _ => {}
    }
    let api = Api::from_name(name).ok_or_else(|| Failure::usage(format!("no API `{name}`")))?;
    let (op_name, args) = sub
        .subcommand()
        .ok_or_else(|| Failure::usage("no operation"))?;
    let command = api
        .commands()
        .iter()
        .find(|c| c.name == op_name)
        .ok_or_else(|| Failure::usage(format!("no operation `{op_name}`")))?;
    let globals = Globals {
        format: match args.get_one::<String>("output").map(String::as_str) {
            Some("csv") => Format::Csv,
            Some("table") => Format::Table,
            Some("text") => Format::Text,
            _ => Format::Json,
        },
        columns: args.get_one::<String>("columns").map(|c| {
            c.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        }),
        quiet: args.get_flag("quiet"),
        dry_run: args.get_flag("dry-run"),
    };
    // Columns are those of a tabular output: with JSON, which prints whole items, they would
    // be ignored without a word.
    match &globals.columns {
        Some(_) if globals.format == Format::Json => {
            return Err(Failure::usage(
                "--columns chooses the columns of --output csv, table or text; JSON prints whole items",
            ));
        }
        Some(columns) if columns.is_empty() => {
            return Err(Failure::usage("--columns names no column"));
        }
        _ => {}
    }
    let sandbox = if args.get_flag("sandbox") {
        Some(permkit_sandbox::Sandbox::start().await)
    } else {
        None
    };
    // The sandbox has its own credentials (`--profile` and `--token-file` conflict with
    // `--sandbox`): no profile is read for it, not even PERMKIT_PROFILE's.
    let source = if sandbox.is_some() {
        Source::new(None, None)
    } else {
        let profile =
            crate::config::selected(args.get_one::<String>("profile").map(String::as_str))?;
        let token = match args.get_one::<String>("token-file") {
            Some(path) => Some(crate::config::read_secret(path)?),
            None => None,
        };
        Source::new(profile, token)
    };
    let client = client::build(api, sandbox.as_ref(), &source)?;
    let run = Run {
        api,
        command,
        args,
        globals,
        sandbox: sandbox.as_ref(),
    };
    run.execute(&client).await
}

/// One command being run.
pub struct Run<'a> {
    pub api: Api,
    pub command: &'static Command,
    pub args: &'a ArgMatches,
    pub globals: Globals,
    pub sandbox: Option<&'a permkit_sandbox::Sandbox>,
}

impl Run<'_> {
    async fn execute(&self, client: &Client) -> Result<(), Failure> {
        let mut out = Output::new(self.globals.format, self.globals.columns.clone());
        let done = self.emit(client, &mut out).await;
        let unmatched = out.unmatched_columns();
        if !unmatched.is_empty() && !self.globals.quiet {
            eprintln!(
                "--columns: no item had {} (a misspelt field, or a relation without --include?)",
                unmatched.join(", ")
            );
        }
        done
    }

    /// The call made and its answer written to `out`.
    async fn emit(&self, client: &Client, out: &mut Output) -> Result<(), Failure> {
        let operation = self.operation(client).await?;
        if self.globals.dry_run {
            let preview = operation.preview().fail()?;
            out.raw(&preview.to_string())?;
            return Ok(());
        }
        if crate::workflows::is_upload_wait(self) {
            return crate::workflows::upload_and_wait(self, client, operation, out).await;
        }
        let all = spec::is_list(self.api, self.command.id) && self.args.get_flag("all");
        if all {
            let prefetch = self.args.get_one::<u16>("prefetch").copied().unwrap_or(1);
            let mut progress = Progress::items(self.globals.quiet);
            // Page by page (the same engine as `.stream()`), for the total the progress shows.
            let mut pages = operation.prefetch(prefetch as usize).pages();
            out.begin_rows()?;
            while let Some(page) = pages.try_next().await.fail()? {
                progress.total(page.total_count);
                for item in &page.items {
                    out.row(item)?;
                }
                progress.tick(page.items.len() as u64);
            }
            progress.finish();
            out.end_rows()?;
            return Ok(());
        }
        if spec::is_list(self.api, self.command.id) {
            let page = operation.send_page().await.fail()?;
            if self.globals.format == Format::Json {
                let value = serde_json::json!({
                    "items": page.items,
                    "cursor": page.cursor,
                    "next": page.next,
                    "total_pages": page.total_pages,
                    "total_count": page.total_count,
                });
                return out.value(&value);
            }
            return out.rows(&page.items);
        }
        let upload = self.command.body == BodyKind::Multipart;
        let progress = upload.then(|| Progress::bytes(self.globals.quiet));
        let value = match &progress {
            Some(p) => {
                let counter = permkit::upload::Progress::new();
                let call = operation.progress(counter.clone()).send();
                p.watch(call, counter).await.fail()?
            }
            None => operation.send().await.fail()?,
        };
        let value = if (self.api, self.command.id) == (Api::Intacct, "create_token") {
            redact_tokens(value)
        } else {
            value
        };
        out.value(&value)
    }

    /// The call, from the positional values, the flags and the body.
    pub async fn operation<'c>(&self, client: &'c Client) -> Result<Operation<'c>, Failure> {
        let mut op = client.operation(self.command.id).fail()?;
        for p in self.command.params {
            let values: Vec<String> = match self.args.get_many::<String>(p.flag) {
                Some(v) => v.cloned().collect(),
                None => continue,
            };
            for value in values_of(p, values) {
                check_kind(p, &value)?;
                op = match p.location {
                    Location::Path => op.path(p.name, value),
                    Location::Query => op.query(p.name, value),
                    Location::Header => op.header(p.name, value),
                };
            }
        }
        if self.command.body == BodyKind::None {
            return Ok(op);
        }
        let mut body = match self.args.get_one::<String>("body") {
            Some(path) => Some(read_body(path)?),
            None => None,
        };
        for f in self.command.fields {
            let Some(text) = self.args.get_one::<String>(f.flag) else {
                continue;
            };
            let value = field_value(f.kind, text)
                .map_err(|why| Failure::usage(format!("--{}: {why}", f.flag)))?;
            if self.command.body == BodyKind::Multipart {
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                op = op.form_field(f.name, text);
                continue;
            }
            let map = body.get_or_insert_with(|| Value::Object(Default::default()));
            match map.as_object_mut() {
                Some(m) => {
                    m.insert(f.name.to_string(), value);
                }
                None => {
                    return Err(Failure::usage(
                        "--body must be a JSON object to add field flags to it",
                    ));
                }
            }
        }
        let body = crate::workflows::extend_body(self, body)?;
        if self.command.body == BodyKind::Multipart {
            if let Some(Value::Object(map)) = body {
                for (k, v) in map {
                    let text = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    op = op.form_field(k, text);
                }
            }
            for spec in self.args.get_many::<String>("file").into_iter().flatten() {
                let (part, path) = spec
                    .split_once('=')
                    .ok_or_else(|| Failure::usage(format!("--file {spec}: expected PART=PATH")))?;
                // A file that cannot be opened is a bad argument (exit 2), as `--body`'s is;
                // nothing has been sent.
                let file = permkit::upload::FilePart::from_path(path)
                    .await
                    .map_err(|e| Failure::usage(format!("--file {spec}: {e}")))?;
                op = op.file(part, file);
            }
            return Ok(op);
        }
        if let Some(body) = body {
            op = op.json_body(body);
        }
        Ok(op)
    }
}

/// Intacct's `create-token` answer with its tokens redacted: credentials are never printed
/// (the command mints its own token for every other operation); what is left says the
/// credentials work and for how long a token lives. The fields are the ones the library's
/// dry runs redact (`src/secret_fields.rs`).
fn redact_tokens(mut value: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        for (key, v) in map.iter_mut() {
            if crate::secret_fields::secret_field(key, false) {
                *v = Value::String("[redacted]".into());
            }
        }
    }
    value
}

/// A parameter's values as sent: an array not exploded is one comma-joined value.
fn values_of(p: &spec::Param, values: Vec<String>) -> Vec<String> {
    if p.array && !p.explode {
        vec![values.join(",")]
    } else if p.array {
        values
            .iter()
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .collect()
    } else {
        values
    }
}

/// Refuses a parameter's value that is not of its kind (`--limit 1.5`), as a field flag's is:
/// a usage error here rather than the server's validation error, or a 404 for a path value.
fn check_kind(p: &spec::Param, value: &str) -> Result<(), Failure> {
    let arg = match p.location {
        Location::Path => p.name.to_ascii_uppercase(),
        _ => format!("--{}", p.flag),
    };
    match p.kind {
        "integer" | "number" => field_value(p.kind, value)
            .map(drop)
            .map_err(|why| Failure::usage(format!("{arg}: {why}"))),
        "boolean" if value != "true" && value != "false" => Err(Failure::usage(format!(
            "{arg}: `{value}` is not true or false"
        ))),
        _ => Ok(()),
    }
}

/// A field flag's text as the JSON value of its kind.
fn field_value(kind: &str, text: &str) -> Result<Value, String> {
    Ok(match kind {
        "integer" => Value::from(
            text.parse::<i64>()
                .map_err(|_| format!("`{text}` is not an integer"))?,
        ),
        "number" => {
            let n: f64 = text
                .parse()
                .map_err(|_| format!("`{text}` is not a number"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or("not a finite number")?
        }
        "boolean" => Value::Bool(text == "true"),
        "strings" => Value::Array(
            text.split(',')
                .map(|s| Value::String(s.trim().to_string()))
                .filter(|v| v != "")
                .collect(),
        ),
        _ => Value::String(text.to_string()),
    })
}

/// `--body FILE|-`: JSON from a file or stdin.
fn read_body(path: &str) -> Result<Value, Failure> {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Failure::usage(format!("--body -: cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("--body {path}: {e}")))?
    };
    serde_json::from_str(&text).map_err(|e| Failure::usage(format!("--body {path}: not JSON: {e}")))
}
