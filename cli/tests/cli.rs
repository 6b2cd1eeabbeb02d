//! The `permkit` binary against the sandbox: operations of each API, the three scheduled
//! workflows, exit codes per error kind with injected faults, snapshots of `--help` and CSV,
//! and no credential in any output.

use permkit_sandbox::{Fault, Sandbox};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_permkit");

/// The binary with the sandbox's credentials in its environment (as the examples read them).
fn permkit(sandbox: &Sandbox, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PERMISSION_ASSIST_URL", sandbox.permission_assist_url())
        .env("PERMISSION_ASSIST_TOKEN", Sandbox::PERMISSION_ASSIST_TOKEN)
        .env("PERSCOM_URL", sandbox.perscom_url())
        .env("PERSCOM_API_KEY", Sandbox::PERSCOM_API_KEY)
        .env("INTACCT_URL", sandbox.intacct_url())
        .env("INTACCT_CLIENT_ID", Sandbox::INTACCT_CLIENT_ID)
        .env("INTACCT_CLIENT_SECRET", Sandbox::INTACCT_CLIENT_SECRET)
        .env("INTACCT_USERNAME", Sandbox::INTACCT_USERNAME)
        .output()
        .expect("run permkit")
}

/// The binary alone (no credentials), run on a blocking thread.
fn bare(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .output()
        .expect("run permkit")
}

async fn sandbox() -> Sandbox {
    Sandbox::start().await
}

/// Runs `permkit <args>` against `sandbox`, asserts exit 0 and an empty-of-errors run, and
/// returns stdout as JSON.
fn json_ok(sandbox: &Sandbox, args: &[&str]) -> serde_json::Value {
    let o = permkit(sandbox, args);
    assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", stdout(&o)))
}

/// The operation ids the sandbox answered with a 2xx, of `api`.
fn answered(sandbox: &Sandbox) -> std::collections::BTreeSet<&'static str> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.status.is_some_and(|s| (200..300).contains(&s)))
        .filter_map(|r| r.operation_id)
        .collect()
}

/// A date-time a year after the sandbox's clock (the personnel events want today or later).
fn next_year(sandbox: &Sandbox) -> String {
    let year: i32 = sandbox.now().to_rfc3339()[..4].parse().unwrap();
    format!("{}-03-01T00:00:00Z", year + 1)
}

/// A scratch directory of this test process.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("permkit-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn snapshot(name: &str, actual: &str) {
    let path = format!("{}/tests/snapshots/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("PERMKIT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(format!("{}/tests/snapshots", env!("CARGO_MANIFEST_DIR"))).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {path}: run with PERMKIT_UPDATE_SNAPSHOTS=1"));
    assert_eq!(
        actual, expected,
        "snapshot {name} differs (PERMKIT_UPDATE_SNAPSHOTS=1 rewrites it)"
    );
}

#[test]
fn every_operation_is_a_subcommand() {
    for (api, n) in [("permission-assist", 17), ("perscom", 713), ("intacct", 31)] {
        let help = stdout(&bare(&[api, "--help"]));
        let commands = help
            .split("Commands:")
            .nth(1)
            .and_then(|c| c.split("Options:").next())
            .unwrap_or_default();
        let listed = commands
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .count();
        // `help` is clap's own.
        assert_eq!(listed, n + 1, "{api}:\n{help}");
    }
}

#[test]
fn help_snapshots() {
    snapshot("root-help.txt", &stdout(&bare(&["--help"])));
    snapshot(
        "list-users-help.txt",
        &stdout(&bare(&["perscom", "list-users", "--help"])),
    );
    snapshot(
        "query-help.txt",
        &stdout(&bare(&["intacct", "query", "--help"])),
    );
}

#[test]
fn usage_errors_and_missing_credentials_exit_2() {
    let o = bare(&["perscom", "no-such-operation"]);
    assert_eq!(code(&o), 2);
    let o = bare(&["perscom", "get-user", "1"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("PERSCOM_URL"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    // A flag that only means something beside another is refused without it, not ignored.
    for (args, needs) in [
        (&["perscom", "list-users", "--prefetch", "4"][..], "--all"),
        (
            &[
                "permission-assist",
                "upload-application-import",
                "--poll-interval",
                "3",
            ][..],
            "--wait",
        ),
    ] {
        let o = bare(args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains(needs), "{args:?}: {}", stderr(&o));
    }
    // The sandbox has its own credentials: others beside it are refused, not ignored...
    for flag in ["--token-file", "--profile"] {
        let o = bare(&["perscom", "get-me", "--sandbox", flag, "x"]);
        assert_eq!(code(&o), 2, "{flag}");
        assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    }
    // ...and no profile is read for it.
    let o = Command::new(BIN)
        .args(["perscom", "get-me", "--sandbox"])
        .env_clear()
        .env("PERMKIT_PROFILE", "no-such-profile")
        .env("PERMKIT_CONFIG", "/nonexistent/permkit/config")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parameter_that_is_not_of_its_kind_is_a_usage_error_and_nothing_is_sent() {
    let sandbox = sandbox().await;
    for (args, message) in [
        (
            &["perscom", "list-users", "--limit", "1.5"][..],
            "--limit: `1.5` is not an integer",
        ),
        (
            &["perscom", "get-user", "abc"][..],
            "USER: `abc` is not an integer",
        ),
    ] {
        let o = permkit(&sandbox, args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
    assert!(sandbox.requests().is_empty());
    // Values of their kind go through as written.
    let o = permkit(
        &sandbox,
        &["perscom", "list-users", "--limit", "2", "--dry-run"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("/users?limit=2"), "{}", stdout(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_permission_assist_and_intacct_operation_builds_its_request() {
    let sandbox = sandbox().await;
    for (api, ops) in [
        (
            "permission-assist",
            permkit::permission_assist::Client::operations(),
        ),
        ("intacct", permkit::intacct::Client::operations()),
    ] {
        for op in ops {
            let name = op.id().replace('_', "-");
            let mut args = vec![api.to_string(), name.clone(), "--dry-run".into()];
            for _ in op.path_params() {
                args.push("00000000-0000-0000-0000-000000000001".into());
            }
            if op.id() == "query" {
                args.extend(["--object".into(), "company-config/role".into()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = permkit(&sandbox, &args);
            assert_eq!(code(&o), 0, "{api} {name}: {}", stderr(&o));
            let text = stdout(&o);
            assert!(text.starts_with(op.method()), "{api} {name}: {text}");
            assert!(text.contains("authorization: [redacted]"), "{text}");
        }
    }
    // Nothing was sent.
    assert!(sandbox.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_of_each_api_and_a_sample_of_perscom_groups() {
    let sandbox = sandbox().await;
    let identity = Sandbox::PERMISSION_ASSIST_IDENTITY.to_string();
    let runs: Vec<Vec<&str>> = vec![
        vec!["permission-assist", "list-identities"],
        vec!["permission-assist", "get-identity", &identity],
        vec!["permission-assist", "list-applications"],
        vec!["permission-assist", "list-application-imports"],
        vec!["permission-assist", "list-personnel-events"],
        vec!["permission-assist", "list-access-requests"],
        vec!["intacct", "list-roles"],
        vec!["intacct", "list-users"],
        vec!["intacct", "list-permissions"],
        vec!["intacct", "list-user-groups"],
        vec![
            "intacct",
            "query",
            "--object",
            "company-config/role",
            "--size",
            "5",
        ],
        vec!["perscom", "get-user", "1", "--include", "rank"],
        vec!["perscom", "list-ranks"],
        vec!["perscom", "list-awards"],
        vec!["perscom", "list-units"],
        vec!["perscom", "list-forms"],
        vec!["perscom", "list-calendars"],
        vec!["perscom", "list-announcements"],
        vec!["perscom", "list-tasks"],
        vec!["perscom", "list-categories"],
        vec!["perscom", "get-me"],
    ];
    for args in runs {
        let o = permkit(&sandbox, &args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        let _: serde_json::Value =
            serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_streams_json_lines_of_every_page() {
    let sandbox = sandbox().await;
    let o = permkit(
        &sandbox,
        &[
            "permission-assist",
            "list-identities",
            "--all",
            "--prefetch",
            "4",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, Sandbox::PERMISSION_ASSIST_IDENTITIES);
    // Progress went to stderr as a plain line (not a terminal).
    assert!(stderr(&o).contains("items"), "{}", stderr(&o));
    let quiet = permkit(
        &sandbox,
        &["permission-assist", "list-identities", "--all", "--quiet"],
    );
    assert!(stderr(&quiet).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_export_to_csv() {
    let sandbox = sandbox().await;
    let o = permkit(
        &sandbox,
        &[
            "perscom",
            "list-users",
            "--include",
            "rank,position,unit",
            "--limit",
            "100",
            "--all",
            "--output",
            "csv",
            "--columns",
            "id,name,rank.name,position.name,unit.name",
            "--quiet",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = stdout(&o);
    assert_eq!(csv.lines().count() as u64, Sandbox::PERSCOM_USERS + 1);
    let head: String = csv.split_inclusive('\n').take(6).collect();
    snapshot("roster-head.csv", &head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_part_that_cannot_be_opened_is_a_usage_error() {
    let sandbox = sandbox().await;
    let missing = std::env::temp_dir()
        .join(format!("permkit-cli-test-{}", std::process::id()))
        .join("no-such-dir/employees.csv");
    let part = format!("group={}", missing.display());
    let o = permkit(
        &sandbox,
        &[
            "permission-assist",
            "upload-application-import",
            "--application-id",
            "00000000-0000-0000-0000-000000000001",
            "--file",
            &part,
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with(&format!("--file {part}: ")),
        "{}",
        stderr(&o)
    );
    assert!(sandbox.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_column_no_item_has_is_named_on_stderr() {
    let sandbox = sandbox().await;
    let args = [
        "perscom",
        "list-users",
        "--limit",
        "2",
        "--output",
        "csv",
        "--columns",
    ];
    let run = |columns: &str, more: &[&str]| {
        let mut all = args.to_vec();
        all.push(columns);
        all.extend(more);
        permkit(&sandbox, &all)
    };
    // A misspelt field, and a relation without `--include`: the output is still written.
    let o = run("id,nmae,rank.name", &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3);
    assert!(
        stderr(&o).contains("--columns: no item had nmae, rank.name"),
        "{}",
        stderr(&o)
    );
    // With the relation asked for, and `null` fields (a field the item has), nothing is said.
    let o = run("id,name,rank.name,cover_photo", &["--include", "rank"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    // `--quiet` says nothing on stderr but errors.
    let o = run("id,nmae", &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    // JSON prints whole items: columns there would be ignored, so they are refused.
    let o = permkit(&sandbox, &["perscom", "list-users", "--columns", "id"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--columns chooses the columns of --output csv"));
    assert!(stdout(&o).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_audit_through_the_query_service() {
    let sandbox = sandbox().await;
    let o = permkit(
        &sandbox,
        &[
            "intacct",
            "query",
            "--object",
            "company-config/permission",
            "--fields",
            "id,module,name",
            "--filter",
            "module eq accountsPayable",
            "--all",
            "--output",
            "csv",
            "--quiet",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.starts_with("id,module,name\r\n"), "{csv}");
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",accountsPayable,")),
        "{csv}"
    );
    assert!(csv.lines().count() > 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_upload_waits_for_the_import() {
    let sandbox = sandbox().await;
    let dir = std::env::temp_dir().join(format!("permkit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("employees.csv");
    std::fs::write(&file, "id,name\n1,Ann\n").unwrap();
    let app = Sandbox::PERMISSION_ASSIST_FILE_APPLICATION.to_string();
    let part = format!(
        "{}={}",
        Sandbox::PERMISSION_ASSIST_FILE_GROUP,
        file.display()
    );
    let args = [
        "permission-assist",
        "upload-application-import",
        "--application-id",
        &app,
        "--file",
        &part,
        "--wait",
        "--poll-interval",
        "1",
        "--wait-timeout",
        "20",
    ];
    // The test plays Permission Assist's builder: the import fails.
    let runner = {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (pa, token) = (
            sandbox.permission_assist_url(),
            Sandbox::PERMISSION_ASSIST_TOKEN,
        );
        tokio::task::spawn_blocking(move || {
            Command::new(BIN)
                .args(&args)
                .env_clear()
                .env("PERMISSION_ASSIST_URL", pa)
                .env("PERMISSION_ASSIST_TOKEN", token)
                .output()
                .unwrap()
        })
    };
    let id = loop {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let uploaded = sandbox
            .requests()
            .into_iter()
            .any(|r| r.operation_id == Some("upload_application_import"));
        if uploaded {
            let client =
                permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
                    .token(Sandbox::PERMISSION_ASSIST_TOKEN)
                    .build()
                    .unwrap();
            let page = client
                .operation("list_application_imports")
                .unwrap()
                .send_page()
                .await
                .unwrap();
            let newest = page
                .items
                .iter()
                .max_by_key(|i| i["number"].as_u64())
                .unwrap()
                .clone();
            break newest["id"].as_str().unwrap().parse().unwrap();
        }
    };
    sandbox.set_import_status(id, "Failed").unwrap();
    let o = runner.await.unwrap();
    assert_eq!(code(&o), 8, "{}", stderr(&o));
    let last: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(last["status"], "Failed");
    // With --sandbox the command plays the builder: Finished, exit 0.
    let o = bare(&[
        "permission-assist",
        "upload-application-import",
        "--sandbox",
        "--application-id",
        &app,
        "--file",
        &part,
        "--wait",
        "--poll-interval",
        "1",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("\"Finished\""));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_per_error_kind() {
    let sandbox = sandbox().await;
    for (status, expected) in [
        (404, 3),
        (401, 4),
        (403, 4),
        (422, 5),
        (400, 5),
        (409, 5),
        (429, 6),
        (503, 7),
        (500, 7),
    ] {
        sandbox.clear_faults();
        let mut fault = Fault::on("list_ranks").status(status);
        if status == 429 {
            fault = fault.retry_after(std::time::Duration::from_secs(3600));
        }
        sandbox.fault(fault);
        let o = permkit(&sandbox, &["perscom", "list-ranks", "--json-errors"]);
        assert_eq!(code(&o), expected, "{status}: {}", stderr(&o));
        let e: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
        assert_eq!(e["status"], status);
        assert_eq!(e["exit_code"], expected);
        assert!(stdout(&o).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_in_any_output() {
    let sandbox = sandbox().await;
    sandbox.fault(Fault::on("get_role").status(401));
    let runs: Vec<Vec<&str>> = vec![
        vec!["perscom", "get-user", "1", "--dry-run"],
        vec![
            "perscom",
            "get-user",
            "1",
            "--dry-run",
            "--x-perscom-id",
            "42",
        ],
        vec!["permission-assist", "list-identities", "--dry-run"],
        vec![
            "intacct",
            "query",
            "--object",
            "company-config/role",
            "--dry-run",
        ],
        vec!["intacct", "get-role", "1", "--json-errors"],
        vec!["perscom", "get-user", "1"],
        vec![
            "permission-assist",
            "get-identity",
            "00000000-0000-0000-0000-000000000000",
            "--json-errors",
        ],
    ];
    for args in runs {
        let o = permkit(&sandbox, &args);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        for secret in [
            Sandbox::PERMISSION_ASSIST_TOKEN,
            Sandbox::PERSCOM_API_KEY,
            Sandbox::INTACCT_CLIENT_SECRET,
            Sandbox::INTACCT_TOKEN,
        ] {
            assert!(!all.contains(secret), "{args:?} shows a credential: {all}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_permission_assist_operation_runs_against_the_sandbox() {
    let sandbox = sandbox().await;
    let pa = |args: &[&str]| {
        let mut all = vec!["permission-assist"];
        all.extend_from_slice(args);
        json_ok(&sandbox, &all)
    };
    let identity = Sandbox::PERMISSION_ASSIST_IDENTITY.to_string();
    let scheduled = Sandbox::PERMISSION_ASSIST_SCHEDULED_APPLICATION.to_string();
    let file_app = Sandbox::PERMISSION_ASSIST_FILE_APPLICATION.to_string();
    let when = next_year(&sandbox);

    let page = pa(&["list-identities"]);
    assert_eq!(page["items"][0]["id"], identity.as_str(), "{page}");
    assert_eq!(page["total_count"], Sandbox::PERMISSION_ASSIST_IDENTITIES);
    assert_eq!(pa(&["get-identity", &identity])["id"], identity.as_str());
    let apps = pa(&["list-applications"]);
    assert!(apps["items"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(pa(&["get-application", &file_app])["id"], file_app.as_str());

    // Imports: stage one, read it, cancel it; upload another (without --wait) and find it listed.
    let staged = pa(&["stage-application-import", "--application-id", &scheduled]);
    assert_eq!(staged["status"], "Pending", "{staged}");
    let staged_id = staged["id"].as_str().unwrap().to_string();
    assert_eq!(
        pa(&["get-application-import", &staged_id])["id"],
        staged_id.as_str()
    );
    let canceled = pa(&[
        "cancel-application-import",
        "--application-import-id",
        &staged_id,
    ]);
    assert_eq!(canceled["status"], "Canceling", "{canceled}");
    assert_eq!(
        pa(&["get-application-import", &staged_id])["status"],
        "Canceling"
    );
    let dir = scratch("pa");
    let file = dir.join("employees.csv");
    std::fs::write(&file, "id,name\n1,Ann\n").unwrap();
    let part = format!(
        "{}={}",
        Sandbox::PERMISSION_ASSIST_FILE_GROUP,
        file.display()
    );
    let uploaded = pa(&[
        "upload-application-import",
        "--application-id",
        &file_app,
        "--file",
        &part,
        "--quiet",
    ]);
    assert_eq!(uploaded["status"], "Pending", "{uploaded}");
    let imports = pa(&["list-application-imports"]);
    let ids: Vec<&str> = imports["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(ids.contains(&uploaded["id"].as_str().unwrap()), "{ids:?}");

    // Personnel events: one of each kind, the onboarding's body from a file, the others' from flags.
    let body = dir.join("onboard.json");
    std::fs::write(
        &body,
        serde_json::json!({"identity": {"firstName": "Ann", "lastName": "Lee", "email": "ann.lee@example.com"}})
            .to_string(),
    )
    .unwrap();
    let onboard = pa(&[
        "create-onboard-event",
        "--body",
        body.to_str().unwrap(),
        "--effective-date",
        &when,
    ]);
    let offboard = pa(&[
        "create-offboard-event",
        "--identity-id",
        &identity,
        "--effective-date",
        &when,
        "--comment",
        "retires",
    ]);
    let transition = pa(&[
        "create-role-transition-event",
        "--identity-id",
        &identity,
        "--effective-date",
        &when,
    ]);
    let leave = pa(&[
        "create-leave-of-absence-event",
        "--identity-id",
        &identity,
        "--effective-date",
        &when,
    ]);
    for (event, kind) in [
        (&onboard, "onboard"),
        (&offboard, "offboard"),
        (&transition, "role transition"),
        (&leave, "leave"),
    ] {
        let id = event["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{kind}: {event}"));
        assert_eq!(pa(&["get-personnel-event", id])["id"], id, "{kind}");
    }
    assert_eq!(
        offboard["affectedIdentity"]["id"],
        identity.as_str(),
        "{offboard}"
    );
    let events = pa(&["list-personnel-events", "--identity-id", &identity]);
    assert!(
        events["items"].as_array().is_some_and(|a| !a.is_empty()),
        "{events}"
    );

    let requests = pa(&["list-access-requests"]);
    let request = requests["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        pa(&["get-access-request", &request])["id"],
        request.as_str()
    );

    let answered = answered(&sandbox);
    for op in permkit::permission_assist::Client::operations() {
        assert!(
            answered.contains(op.id()),
            "{} was not run: {answered:?}",
            op.id()
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_intacct_operation_runs_against_the_sandbox() {
    let sandbox = sandbox().await;
    let ia = |args: &[&str]| {
        let mut all = vec!["intacct"];
        all.extend_from_slice(args);
        json_ok(&sandbox, &all)
    };
    let key = |v: &serde_json::Value| -> String {
        v["key"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no key: {v}"))
    };
    // The token service (the secret from a file, not the command line), its answer's tokens
    // redacted.
    let secret = dir_body(&serde_json::json!({"client_secret": Sandbox::INTACCT_CLIENT_SECRET}));
    let token = ia(&[
        "create-token",
        "--grant-type",
        "client_credentials",
        "--client-id",
        Sandbox::INTACCT_CLIENT_ID,
        "--username",
        Sandbox::INTACCT_USERNAME,
        "--body",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(token["access_token"], "[redacted]", "{token}");
    assert_eq!(token["expires_in"], 3600, "{token}");
    // Reads: each list, then the first item's key.
    for (list, get) in [
        ("list-permissions", "get-permission"),
        ("list-roles", "get-role"),
        (
            "list-role-permission-assignments",
            "get-role-permission-assignment",
        ),
        ("list-role-user-group-maps", "get-role-user-group-map"),
        ("list-role-user-maps", "get-role-user-map"),
        ("list-users", "get-user"),
        ("list-user-groups", "get-user-group"),
        ("list-user-group-members", "get-user-group-member"),
    ] {
        let items = ia(&[list]);
        let first = &items
            .as_array()
            .unwrap_or_else(|| panic!("{list}: {items}"))[0];
        let k = key(first);
        let one = ia(&[get, &k]);
        assert_eq!(one["key"], k.as_str(), "{get} {k}: {one}");
    }
    assert!(ia(&["get-model", "--name", "company-config/role"]).is_object());
    let roles = ia(&[
        "query",
        "--object",
        "company-config/role",
        "--fields",
        "id,key",
        "--order-by",
        "id:desc",
    ]);
    assert!(
        roles["items"].as_array().is_some_and(|r| !r.is_empty()),
        "{roles}"
    );

    // Writes: a role, a user, a group and a membership, each created, read, updated, deleted.
    let role = ia(&[
        "create-role",
        "--id",
        "Auditors CLI",
        "--description",
        "made by the command line",
    ]);
    let role_key = key(&role);
    let updated = ia(&["update-role", &role_key, "--description", "renamed"]);
    assert_eq!(key(&updated), role_key);
    assert_eq!(ia(&["get-role", &role_key])["description"], "renamed");
    let assignment = key(&ia(&["list-role-permission-assignments"])[0]);
    let rpa = dir_body(&serde_json::json!({"accessRights": ["list", "readonly"]}));
    ia(&[
        "update-role-permission-assignment",
        &assignment,
        "--body",
        rpa.to_str().unwrap(),
    ]);
    let user_body = dir_body(&serde_json::json!({
        "id": "cli.user",
        "accountEmail": "cli.user@example.com",
        "contact": {"firstName": "Cli", "lastName": "User", "email1": "cli.user@example.com"}
    }));
    let user = ia(&["create-user", "--body", user_body.to_str().unwrap()]);
    let user_key = key(&user);
    ia(&["update-user", &user_key, "--status", "inactive"]);
    let group = ia(&[
        "create-user-group",
        "--id",
        "CLI group",
        "--description",
        "made by the command line",
    ]);
    let group_key = key(&group);
    ia(&["update-user-group", &group_key, "--description", "renamed"]);
    let member_body =
        dir_body(&serde_json::json!({"userGroup": {"key": group_key}, "user": {"key": user_key}}));
    let member = ia(&[
        "create-user-group-member",
        "--body",
        member_body.to_str().unwrap(),
    ]);
    let member_key = key(&member);
    assert_eq!(
        key(&ia(&["get-user-group-member", &member_key])),
        member_key
    );
    for (delete, k) in [
        ("delete-user-group-member", &member_key),
        ("delete-user-group", &group_key),
        ("delete-user", &user_key),
        ("delete-role", &role_key),
    ] {
        let o = permkit(&sandbox, &["intacct", delete, k]);
        assert_eq!(code(&o), 0, "{delete} {k}: {}", stderr(&o));
    }
    // Deleted: a 404, exit 3.
    let o = permkit(&sandbox, &["intacct", "get-role", &role_key]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));

    let answered = answered(&sandbox);
    for op in permkit::intacct::Client::operations() {
        assert!(
            answered.contains(op.id()),
            "{} was not run: {answered:?}",
            op.id()
        );
    }
}

/// A JSON body in a file of its own.
fn dir_body(value: &serde_json::Value) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = scratch("bodies").join(format!("{}.json", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

/// One read of each PERSCOM scope group (the resource after the colon of `x-perscom-scope`:
/// `view:rank` is `rank`), and the operations no scope guards.
const PERSCOM_READS: &[(&str, &[&str])] = &[
    ("announcement", &["list-announcements"]),
    ("assignmentrecord", &["list-assignment-records"]),
    ("attachment", &["list-attachments"]),
    ("award", &["list-awards"]),
    ("awardrecord", &["list-award-records"]),
    ("calendar", &["list-calendars"]),
    ("category", &["list-categories"]),
    ("combatrecord", &["list-combat-records"]),
    ("comment", &["list-comments"]),
    ("competency", &["list-competencies"]),
    ("credential", &["list-credentials"]),
    ("document", &["list-documents"]),
    ("event", &["list-events"]),
    ("field", &["list-form-fields", "1"]),
    ("form", &["list-forms"]),
    ("group", &["list-groups"]),
    ("image", &["list-images"]),
    ("issuer", &["list-issuers"]),
    ("message", &["list-messages"]),
    ("newsfeed", &["list-newsfeed"]),
    ("position", &["list-positions"]),
    ("qualification", &["list-qualifications"]),
    ("qualificationrecord", &["list-qualification-records"]),
    ("rank", &["list-ranks"]),
    ("rankrecord", &["list-rank-records"]),
    ("servicerecord", &["list-service-records"]),
    ("settings", &["list-settings"]),
    ("slot", &["list-slots"]),
    ("specialty", &["list-specialties"]),
    ("status", &["list-statuses"]),
    ("submission", &["list-submissions"]),
    ("task", &["list-tasks"]),
    ("trainingrecord", &["list-training-records"]),
    ("unit", &["list-units"]),
    (
        "user",
        &["get-user", "1", "--include", "rank,position,unit"],
    ),
    ("(none)", &["get-me"]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_of_each_perscom_scope_group_and_some_writes() {
    let sandbox = sandbox().await;
    let pc = |args: &[&str]| {
        let mut all = vec!["perscom"];
        all.extend_from_slice(args);
        json_ok(&sandbox, &all)
    };
    for (group, args) in PERSCOM_READS {
        let value = pc(args);
        // A list prints its page (`get-me` too: a page of the one user); `get-user` the user.
        if args[0].starts_with("list-") || args[0] == "get-me" {
            assert!(value["items"].is_array(), "{group}: {value}");
        } else {
            assert_eq!(value["id"], 1, "{group}: {value}");
            assert!(value["rank"]["name"].is_string(), "{group}: {value}");
        }
    }
    // Writes: a rank created, updated, read and deleted; an announcement; a unit; the cache.
    let rank = pc(&["create-rank", "--name", "Colonel", "--abbreviation", "COL"]);
    let id = rank["id"].to_string();
    assert_eq!(
        pc(&["update-rank", &id, "--name", "Full Colonel"])["name"],
        "Full Colonel"
    );
    assert_eq!(pc(&["get-rank", &id])["abbreviation"], "COL");
    let o = permkit(&sandbox, &["perscom", "delete-rank", &id]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&permkit(&sandbox, &["perscom", "get-rank", &id])), 3);
    let note = pc(&[
        "create-announcement",
        "--title",
        "Drill",
        "--content",
        "<p>Saturday</p>",
        "--color",
        "#336699",
    ]);
    assert_eq!(note["title"], "Drill", "{note}");
    let unit = pc(&["create-unit", "--name", "Third Platoon"]);
    assert_eq!(unit["name"], "Third Platoon", "{unit}");
    let o = permkit(&sandbox, &["perscom", "clear-cache"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// A config file in a directory of its own, with `mode`.
#[cfg(unix)]
fn config_file(sandbox: &Sandbox, mode: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch(&format!("config-{mode:o}"));
    let path = dir.join("config");
    let text = format!(
        "# the sandbox\n[sandbox]\nPERMISSION_ASSIST_URL = {}\nPERMISSION_ASSIST_TOKEN = {}\n\
         perscom_url = {}\nPERSCOM_API_KEY = \"{}\"\nINTACCT_URL = {}\nINTACCT_TOKEN = {}\n\n\
         [broken]\nPERSCOM_URL = {}\nPERSCOM_API_KEY = wrong\n",
        sandbox.permission_assist_url(),
        Sandbox::PERMISSION_ASSIST_TOKEN,
        sandbox.perscom_url(),
        Sandbox::PERSCOM_API_KEY,
        sandbox.intacct_url(),
        Sandbox::INTACCT_TOKEN,
        sandbox.perscom_url(),
    );
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// `permkit <args>` with nothing in its environment but the config file.
fn with_config(config: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PERMKIT_CONFIG", config)
        .output()
        .expect("run permkit")
}

fn assert_no_credential(what: &str, o: &Output) {
    let all = format!("{}{}", stdout(o), stderr(o));
    for secret in [
        Sandbox::PERMISSION_ASSIST_TOKEN,
        Sandbox::PERSCOM_API_KEY,
        Sandbox::INTACCT_CLIENT_SECRET,
        Sandbox::INTACCT_TOKEN,
        "s3cr3t-pw",
    ] {
        assert!(!all.contains(secret), "{what} shows a credential: {all}");
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_from_a_private_config_file() {
    let sandbox = sandbox().await;
    let config = config_file(&sandbox, 0o600);
    // Each API through the profile, with nothing in the environment.
    for args in [
        vec![
            "permission-assist",
            "list-identities",
            "--profile",
            "sandbox",
        ],
        vec!["perscom", "get-me", "--profile", "sandbox"],
        vec!["intacct", "list-roles", "--profile", "sandbox"],
    ] {
        let o = with_config(&config, &args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_no_credential(&format!("{args:?}"), &o);
    }
    // PERMKIT_PROFILE chooses it too.
    let o = Command::new(BIN)
        .args([
            "perscom",
            "list-ranks",
            "--output",
            "text",
            "--columns",
            "id,name",
        ])
        .env_clear()
        .env("PERMKIT_CONFIG", &config)
        .env("PERMKIT_PROFILE", "sandbox")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("1\t"), "{}", stdout(&o));
    // A wrong key: exit 4, the key not shown.
    let o = with_config(
        &config,
        &["perscom", "get-me", "--profile", "broken", "--json-errors"],
    );
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(!stderr(&o).contains("wrong"), "{}", stderr(&o));
    // A profile the file does not have: a usage error naming it.
    let o = with_config(&config, &["perscom", "get-me", "--profile", "nope"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("[nope]"), "{}", stderr(&o));
    // A file its group or others can read is refused, whatever the command.
    for mode in [0o640, 0o644, 0o604] {
        let open = config_file(&sandbox, mode);
        let o = with_config(&open, &["perscom", "get-me", "--profile", "sandbox"]);
        assert_eq!(code(&o), 2, "{mode:o}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("chmod 600") && err.lines().count() == 1,
            "{err}"
        );
        assert!(stdout(&o).is_empty());
        assert_no_credential("a refused profile", &o);
        std::fs::remove_dir_all(open.parent().unwrap()).ok();
    }
    std::fs::remove_dir_all(config.parent().unwrap()).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_in_dry_runs_of_bodies_that_carry_one() {
    let sandbox = sandbox().await;
    // A secret is never a flag: it comes in the body.
    for (api, op, flag) in [
        ("intacct", "create-token", "--client-secret"),
        ("intacct", "create-token", "--refresh-token"),
        ("intacct", "create-user", "--password"),
    ] {
        let help = stdout(&bare(&[api, op, "--help"]));
        assert!(!help.contains(flag), "{op} has {flag}");
    }
    let refresh = dir_body(&serde_json::json!({"refresh_token": "s3cr3t-pw"}));
    let o = permkit(
        &sandbox,
        &[
            "intacct",
            "create-token",
            "--dry-run",
            "--grant-type",
            "refresh_token",
            "--body",
            refresh.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("refresh_token=[redacted]"),
        "{}",
        stdout(&o)
    );
    assert_no_credential("create-token --dry-run", &o);
    let body = dir_body(&serde_json::json!({
        "id": "x", "accountEmail": "x@example.com", "contact": {"firstName": "X"},
        "password": "s3cr3t-pw"
    }));
    let o = permkit(
        &sandbox,
        &[
            "intacct",
            "create-user",
            "--dry-run",
            "--body",
            body.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("x@example.com"));
    assert_no_credential("create-user --dry-run", &o);
    assert!(sandbox.requests().is_empty());
}

#[test]
fn completions_and_the_man_page_name_every_api_and_operations() {
    for shell in ["bash", "zsh", "fish"] {
        let o = bare(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        for word in [
            "permission-assist",
            "perscom",
            "intacct",
            "list-identities",
            "upload-application-import",
            "list-users",
            "query",
        ] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
        for flag in ["include", "output", "all", "dry-run"] {
            let spelled = if shell == "fish" {
                format!("-l {flag}")
            } else {
                format!("--{flag}")
            };
            assert!(
                text.contains(&spelled),
                "{shell} completion lacks {spelled}"
            );
        }
    }
    let o = bare(&["man"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let man = stdout(&o);
    assert!(
        man.starts_with(".ie") || man.contains(".TH permkit"),
        "{}",
        &man[..200]
    );
    for word in [
        "PERMISSION\\-ASSIST OPERATIONS",
        "PERSCOM OPERATIONS",
        "INTACCT OPERATIONS",
        "\\fBlist\\-identities\\fR",
        "\\fBupload\\-application\\-import\\fR",
        "\\fBlist\\-users\\fR",
        "\\fBquery\\fR",
        "EXIT STATUS",
        "PERSCOM_API_KEY",
    ] {
        assert!(man.contains(word), "the man page lacks {word}");
    }
    // Every operation has its entry.
    let entries = man.matches(".TP\n\\fB").count();
    assert!(entries >= 17 + 713 + 31, "{entries}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_without_a_scope_exits_4_naming_the_scope() {
    let sandbox = sandbox().await;
    let mut refused = Vec::new();
    for (group, args) in PERSCOM_READS {
        let mut all = vec!["perscom"];
        all.extend_from_slice(args);
        all.push("--json-errors");
        let o = Command::new(BIN)
            .args(&all)
            .env_clear()
            .env("PERSCOM_URL", sandbox.perscom_url())
            .env("PERSCOM_API_KEY", Sandbox::PERSCOM_LIMITED_API_KEY)
            .output()
            .unwrap();
        match code(&o) {
            0 => {}
            4 => {
                let e: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
                assert_eq!(e["status"], 403, "{group}: {e}");
                assert_eq!(e["kind"], "forbidden", "{group}: {e}");
                assert_eq!(e["required_scope"], format!("view:{group}"), "{group}: {e}");
                assert!(stdout(&o).is_empty());
                refused.push(*group);
            }
            other => panic!("{group}: exit {other}: {}", stderr(&o)),
        }
        assert!(!stderr(&o).contains(Sandbox::PERSCOM_LIMITED_API_KEY));
    }
    assert!(!refused.is_empty(), "the limited key was refused nothing");
}
