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
    // permkit installs the process's TLS crypto provider when it builds a client; the
    // sandbox's own clients need one.
    let _ = permkit::permission_assist::Client::builder("http://127.0.0.1/api")
        .token("x")
        .build();
    Sandbox::start().await
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
