//! The command tree: one subcommand per operation of each API, from the tables `build.rs`
//! writes from the specs in `openapi/`, with the command line's own flags.

use clap::{Arg, ArgAction, Command as Clap};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

/// How an operation takes its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Json,
    Multipart,
    Form,
}

/// One parameter of an operation.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub flag: &'static str,
    pub location: Location,
    pub required: bool,
    pub array: bool,
    /// An array sent as one value per item (`a=1&a=2`) rather than comma-joined.
    pub explode: bool,
    pub kind: &'static str,
    pub values: &'static [&'static str],
    pub help: &'static str,
}

/// One simple field of an operation's body, set by a flag.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub flag: &'static str,
    /// `string`, `integer`, `number`, `boolean` or `strings` (comma-separated).
    pub kind: &'static str,
    pub required: bool,
    pub values: &'static [&'static str],
    pub help: &'static str,
}

/// One operation, as a subcommand.
#[derive(Debug)]
pub struct Command {
    pub id: &'static str,
    pub name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub params: &'static [Param],
    pub body: BodyKind,
    pub body_required: bool,
    pub fields: &'static [Field],
}

mod permission_assist {
    include!(concat!(env!("OUT_DIR"), "/permission_assist_commands.rs"));
}
mod perscom {
    include!(concat!(env!("OUT_DIR"), "/perscom_commands.rs"));
}
mod intacct {
    include!(concat!(env!("OUT_DIR"), "/intacct_commands.rs"));
}

/// One API of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    PermissionAssist,
    Perscom,
    Intacct,
}

impl Api {
    pub const ALL: [Api; 3] = [Api::PermissionAssist, Api::Perscom, Api::Intacct];

    /// The subcommand name.
    pub fn name(self) -> &'static str {
        match self {
            Api::PermissionAssist => "permission-assist",
            Api::Perscom => "perscom",
            Api::Intacct => "intacct",
        }
    }

    pub fn from_name(name: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Every operation of the API, from its spec.
    pub fn commands(self) -> &'static [Command] {
        match self {
            Api::PermissionAssist => permission_assist::COMMANDS,
            Api::Perscom => perscom::COMMANDS,
            Api::Intacct => intacct::COMMANDS,
        }
    }

    fn about(self) -> &'static str {
        match self {
            Api::PermissionAssist => {
                "Permission Assist (Sycorr): personnel events, imports, applications, identities, access requests"
            }
            Api::Perscom => {
                "PERSCOM personnel records: users, ranks, awards, records, forms, calendars..."
            }
            Api::Intacct => {
                "Sage Intacct REST: permissions, roles, users and groups, the query service"
            }
        }
    }

    pub fn env_help(self) -> &'static str {
        match self {
            Api::PermissionAssist => {
                "Credentials: PERMISSION_ASSIST_URL (ending in /api) and PERMISSION_ASSIST_TOKEN, a profile, or --sandbox."
            }
            Api::Perscom => {
                "Credentials: PERSCOM_URL (the host), PERSCOM_API_KEY and the optional PERSCOM_ID, a profile, or --sandbox."
            }
            Api::Intacct => {
                "Credentials: INTACCT_URL (ending in /ia/api/v1) with INTACCT_TOKEN, or INTACCT_CLIENT_ID, INTACCT_CLIENT_SECRET and INTACCT_USERNAME; INTACCT_ENTITY optionally; a profile, or --sandbox."
            }
        }
    }
}

/// Whether a command is a list the library pages (`--all`, `--prefetch`).
pub fn is_list(api: Api, id: &str) -> bool {
    crate::client::operation_info(api, id).is_some_and(|op| op.is_list())
}

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  other failure (decode, pagination, I/O, an unexpected status)
  2  usage: bad arguments, missing credentials, a request that cannot be built
  3  not found (404, 410)
  4  unauthorized or forbidden (401, 403, 402)
  5  validation: refused as invalid (400, 409 conflict, 422)
  6  rate limited (429, after the library's retries)
  7  unavailable: 5xx, timeouts, connection failures (after the library's retries)
  8  an import waited for with --wait ended Failed or Canceled";

/// The whole command tree.
pub fn cli() -> Clap {
    let mut root = Clap::new("permkit")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every operation of PERSCOM, Permission Assist and Sage Intacct, from the shell")
        .long_about(
            "Every operation of PERSCOM, Permission Assist and Sage Intacct, from the shell: \
             `permkit <api> <operation> [args]`. Generated from the same OpenAPI documents as the \
             permkit clients, and calling them: retries, pagination, errors and redaction are \
             the library's. Data goes to stdout (JSON by default), progress and errors to stderr.",
        )
        .after_help(EXIT_CODES)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .propagate_version(true)
        .args(global_args());
    for api in Api::ALL {
        let mut sub = Clap::new(api.name())
            .about(api.about())
            .after_help(api.env_help())
            .subcommand_required(true)
            .arg_required_else_help(true);
        for command in api.commands() {
            sub = sub.subcommand(operation(api, command));
        }
        root = root.subcommand(sub);
    }
    root.subcommand(
        Clap::new("completions")
            .about("Print a shell completion script (bash, zsh, fish)")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(["bash", "zsh", "fish"]),
            ),
    )
    .subcommand(Clap::new("man").about("Print the man page (roff)"))
}

/// The command line's own flags, under their own heading in every `--help`.
fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("output")
            .long("output")
            .short('o')
            .global(true)
            .value_parser(["json", "csv", "table", "text"])
            .default_value("json")
            .help("Output format: json (default; JSON lines with --all), csv, table, or text (tab-separated, no header)"),
        Arg::new("columns")
            .long("columns")
            .global(true)
            .value_name("COLS")
            .help("Columns for csv, table and text, comma-separated; dotted paths reach into objects (rank.name)"),
        Arg::new("quiet")
            .long("quiet")
            .short('q')
            .global(true)
            .action(ArgAction::SetTrue)
            .help("No progress on stderr"),
        Arg::new("json-errors")
            .long("json-errors")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Write an error as one JSON object on stderr (kind, status, code, ids, field errors)"),
        Arg::new("dry-run")
            .long("dry-run")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print the request that would be sent (credentials redacted) and send nothing"),
        Arg::new("sandbox")
            .long("sandbox")
            .global(true)
            .action(ArgAction::SetTrue)
            // The sandbox has its own credentials: others given beside it would be ignored.
            .conflicts_with_all(["profile", "token-file"])
            .help("Run against an embedded sandbox of the three APIs (no credentials)"),
        Arg::new("profile")
            .long("profile")
            .short('p')
            .global(true)
            .value_name("NAME")
            .help("Credentials from this profile of the config file (PERMKIT_PROFILE)"),
        Arg::new("token-file")
            .long("token-file")
            .global(true)
            .value_name("FILE|-")
            .help("Read the API's token or key from FILE (or stdin with -) instead of the environment"),
    ];
    args.into_iter()
        .map(|a| a.help_heading("Global options"))
        .collect()
}

/// One operation's subcommand.
fn operation(api: Api, command: &'static Command) -> Clap {
    let mut long = String::from(command.summary);
    if !command.description.is_empty() {
        if !long.is_empty() {
            long.push_str("\n\n");
        }
        long.push_str(command.description);
    }
    long.push_str(&format!(
        "\n\n{} {}  (operation `{}`)",
        command.method, command.path, command.id
    ));
    let mut sub = Clap::new(command.name)
        .about(if command.summary.is_empty() {
            command.id
        } else {
            command.summary
        })
        .long_about(long);
    for p in command.params {
        let help = match p.kind {
            "string" | "array" => p.help.to_string(),
            kind => format!("{} [{kind}]", p.help),
        };
        let mut arg = Arg::new(p.flag)
            .help(help)
            .value_name(p.name.to_ascii_uppercase());
        arg = match p.location {
            Location::Path => arg.required(true),
            _ => arg.long(p.flag).required(p.required),
        };
        if p.array && p.explode {
            arg = arg.action(ArgAction::Append);
        }
        if !p.values.is_empty() && !p.array {
            arg = arg.value_parser(clap::builder::PossibleValuesParser::new(
                p.values.iter().copied(),
            ));
        }
        if !p.values.is_empty() && p.array {
            arg = arg.long_help(format!("{}\n\nValues: {}", p.help, p.values.join(", ")));
        }
        sub = sub.arg(arg);
    }
    if command.body != BodyKind::None {
        sub = sub.arg(
            Arg::new("body")
                .long("body")
                .value_name("FILE|-")
                .help(if command.body_required {
                    "The request body (required: this file or the field flags): a JSON file, or - for stdin; field flags override its keys"
                } else {
                    "The request body: a JSON file, or - for stdin; field flags override its keys"
                }),
        );
        for f in command.fields {
            let help = if f.required {
                format!("{} [required in the body]", f.help)
            } else {
                f.help.to_string()
            };
            let mut arg = Arg::new(f.flag)
                .long(f.flag)
                .help(help)
                .value_name(f.kind.to_ascii_uppercase());
            if !f.values.is_empty() && f.kind == "string" {
                arg = arg.value_parser(clap::builder::PossibleValuesParser::new(
                    f.values.iter().copied(),
                ));
            }
            if f.kind == "boolean" {
                arg = arg.value_parser(["true", "false"]);
            }
            sub = sub.arg(arg);
        }
    }
    if command.body == BodyKind::Multipart {
        sub = sub.arg(
            Arg::new("file")
                .long("file")
                .value_name("PART=PATH")
                .action(ArgAction::Append)
                .help("A file part, streamed from PATH (repeat for more parts)"),
        );
    }
    if is_list(api, command.id) {
        sub = sub
            .arg(
                Arg::new("all")
                    .long("all")
                    .action(ArgAction::SetTrue)
                    .help("Every item of every page, one JSON object a line (or rows with --output csv|table)"),
            )
            .arg(
                Arg::new("prefetch")
                    .long("prefetch")
                    .value_name("N")
                    .value_parser(clap::value_parser!(u16).range(1..=64))
                    // Without --all one page is read: refused rather than ignored.
                    .requires("all")
                    .help("With --all: keep up to N pages in flight"),
            );
    }
    crate::workflows::extend(api, command.id, sub)
}
