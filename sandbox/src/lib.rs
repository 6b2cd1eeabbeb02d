//! An embedded, stateful mock of every enabled API: for the tour, for your own tests, and for
//! trying the SDK without credentials.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use permkit_sandbox::Sandbox;
//! use permkit::permission_assist::Client;
//!
//! let sandbox = Sandbox::start().await;
//! let client = Client::builder(sandbox.permission_assist_url())
//!     .token(Sandbox::PERMISSION_ASSIST_TOKEN)
//!     .build()
//!     .unwrap();
//! let page = client.list_identities().send().await.unwrap();
//! assert_eq!(page.total_count, Some(Sandbox::PERMISSION_ASSIST_IDENTITIES));
//! # });
//! ```
//!
//! Each API lives under its own prefix on one local server, with seeded data that changes as
//! you write (stage an import and it is `Pending`; cancel it and it is `Canceling`). Enable the
//! `sandbox` feature in your `[dev-dependencies]` to use it in your tests. The seed is the
//! same on every start but for its dates, which are placed before the sandbox's "now" (see
//! [The clock](#the-clock)); each [`Sandbox::start`] is a fresh copy, so tests do not share
//! state, and [`Sandbox::reset`] puts a sandbox back as it started.
//!
//! # A test tool
//!
//! - **Faults**: [`Sandbox::fault`] makes calls of any operation (named by its `operationId`,
//!   optionally one path or the nth call) answer with a status and the API's own error body,
//!   a `Retry-After`, added latency, or a dropped connection (before the response or in the
//!   middle of the body), for the next N calls or until [`Sandbox::clear_faults`]. See
//!   [`Fault`], and `examples/sandbox_faults.rs`. A fault cannot miss silently: an
//!   `operationId` no API has is refused ([`Sandbox::try_fault`] names the closest ones;
//!   [`Sandbox::fault`] panics), [`Sandbox::faults`] counts what each caught, and a fault
//!   that never fired is reported on stderr when the sandbox is dropped
//!   ([`Sandbox::unfired_faults`]).
//! - **What was sent**: [`Sandbox::requests`] lists every request received: operation,
//!   method, path, query, headers and body with credentials redacted, and the status
//!   answered, so a test can assert on its retries.
//! - **Time and state**: [`Sandbox::set_import_status`], [`Sandbox::set_personnel_event_status`]
//!   and [`Sandbox::set_access_request_status`] move Permission Assist's workflows on (a
//!   status the spec does not list, or an id the sandbox does not hold, is a
//!   [`SandboxError`]); [`Sandbox::expire_intacct_tokens`] expires Intacct's access tokens;
//!   [`Sandbox::set_now`] pins the clock and [`Sandbox::reset`] starts over.
//! - **Refusing what the API would**: each request is checked against its operation in the
//!   API's spec before the mock answers. Query parameters: type, format, enum values, bounds
//!   and PERSCOM's `include` whitelist. JSON bodies: required properties (not the read-only
//!   ones), JSON types, `nullable`, enum values, the formats `uuid`, `date-time`, `date` and
//!   `email`, array items, bounds and lengths, `additionalProperties: false`, through `$ref`,
//!   `allOf`, `oneOf` and `anyOf`; unknown extra properties pass. A request the spec does not
//!   allow gets the API's validation error naming the field: PERSCOM a 422
//!   `ValidationException` (`"The content field is required."`), Permission Assist a 400
//!   `validation_error` (`{"field": "applicationId", "message": "must be a valid UUID"}`),
//!   Intacct a 400 `invalidRequest` (target `/id`, `"/id is required"`). A body that is not
//!   JSON is left to the mock.
//! - **Webhooks**: register a URL of yours and the sandbox delivers PERSCOM's signed webhook
//!   events for the changes you make ([`Sandbox::register_perscom_webhook`]) and Permission
//!   Assist's catch hooks for the access requests it creates
//!   ([`Sandbox::register_permission_assist_catch_hook`]); [`Sandbox::webhook_deliveries`]
//!   lists every attempt, and [`Sandbox::webhooks_settled`] waits until those queued so far
//!   are done.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use futures::TryStreamExt;
//! use permkit_sandbox::{Fault, Sandbox};
//! use std::time::Duration;
//!
//! let sandbox = Sandbox::start().await;
//! let client = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
//!     .token(Sandbox::PERMISSION_ASSIST_TOKEN)
//!     .retry(permkit::RetryPolicy::default().with_initial_backoff(Duration::from_millis(10)))
//!     .build()
//!     .unwrap();
//! // Page 2 fails once with a 503, then once with a 429.
//! sandbox.fault(Fault::on("list_identities").nth_call(2).status(503));
//! sandbox.fault(Fault::on("list_identities").nth_call(3).status(429).retry_after(Duration::from_millis(100)));
//! let all: Vec<_> = client.list_identities().stream().try_collect().await.unwrap();
//! assert_eq!(all.len(), 230);
//! let statuses: Vec<_> = sandbox.requests().iter().filter_map(|r| r.status).collect();
//! assert_eq!(statuses, [200, 503, 429, 200, 200, 200, 200]);
//! # });
//! ```
//!
//! # How it is built
//!
//! The APIs' mocks answer behind a wiremock server. In front of it,
//! on the address [`Sandbox::uri`] gives, is a small hyper server of the sandbox's own: it
//! names each request's operation (from a route table the build script writes from each
//! spec), records it, applies faults, and passes everything else on. It replaced wiremock as
//! the listening server because a wiremock responder can only answer: it cannot close a
//! connection without a response, or in the middle of a body.
//!
//! # Keys and tokens
//!
//! | API | credential | what it may do |
//! |---|---|---|
//! | Permission Assist | [`Sandbox::PERMISSION_ASSIST_TOKEN`] (bearer) | everything |
//! | PERSCOM | [`Sandbox::PERSCOM_API_KEY`] | every scope |
//! | PERSCOM | [`Sandbox::PERSCOM_LIMITED_API_KEY`] | the `view:` scopes except `view:settings`: it lacks every `create:`, `update:` and `delete:` scope, `view:settings` and `clear:cache`, so writes, `GET /settings` and `POST /cache` answer 403 |
//! | Intacct | [`Sandbox::INTACCT_TOKEN`] | a valid access token from the start (company level) |
//! | Intacct | [`Sandbox::INTACCT_CLIENT_ID`], [`Sandbox::INTACCT_CLIENT_SECRET`], [`Sandbox::INTACCT_USERNAME`] (`admin@SANDBOX`, or `admin@SANDBOX\|US-East` for an entity) | the client-credentials grant; tokens last one hour, and a refresh token is issued too (single use, rotated) |
//!
//! Any other key or token gets the API's 401.
//!
//! # The clock
//!
//! A sandbox has a clock: [`Sandbox::now`]. Unpinned (the default) it is the wall clock;
//! [`SandboxBuilder::now`] pins it from the start and [`Sandbox::set_now`] pins it later, and
//! a pinned clock stands still. It dates what the mocks write (PERSCOM's `created_at` and
//! `updated_at`, Permission Assist's `buildStart`, `buildEnd`, `completedOn` and activity,
//! an Intacct record's `audit`, a webhook's `created`, a catch hook's `createdDate`) and is
//! Permission Assist's "today" (an `effectiveDate` must not be before it).
//!
//! The seed's dates are placed before it: they count back from the start (midnight UTC) of
//! the clock's day when the sandbox starts or is [reset](Sandbox::reset), over the three
//! years before it, the newest records in the last month. So "promoted in the last 12
//! months" always finds records, and with the clock pinned the seed is the same byte for
//! byte on every start.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use chrono::{TimeZone, Utc};
//! use permkit_sandbox::Sandbox;
//!
//! let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0).unwrap();
//! let sandbox = Sandbox::builder().now(now).start().await.unwrap();
//! let client = permkit::perscom::Client::builder(sandbox.perscom_url())
//!     .api_key(Sandbox::PERSCOM_API_KEY)
//!     .build()
//!     .unwrap();
//! let user = client.get_user(1).send().await.unwrap();
//! let created = user.created_at.unwrap();
//! assert!(created.to_utc() < now);
//! # });
//! ```
//!
//! # Seeded data
//!
//! **Permission Assist** (under `/permission-assist/api`), the bank "First Bank of Valkyrie":
//! - [`PERMISSION_ASSIST_IDENTITIES`](Sandbox::PERMISSION_ASSIST_IDENTITIES) (230) identities
//!   sorted by last then first name, 50 a page (5 pages); every 23rd is `Disabled`, every 41st
//!   `Removed`, the rest `Active`. The first is [`Sandbox::PERMISSION_ASSIST_IDENTITY`].
//!   Created two to three years before the clock's day, first seen one to two years before
//!   it, updated in the last year.
//! - 6 applications: *Jack Henry Silverlake* ([`Sandbox::PERMISSION_ASSIST_SCHEDULED_APPLICATION`],
//!   scheduled connector), *Active Directory* (scheduled; where access requests go), *Valkyrie
//!   Loan Origination* ([`Sandbox::PERMISSION_ASSIST_FILE_APPLICATION`], file connector with the
//!   groups *Employees*, required, and *Privileges*), *Wire Transfer Portal* (file: *Users*),
//!   *Legacy Teller System* ([`Sandbox::PERMISSION_ASSIST_ARCHIVED_APPLICATION`], archived:
//!   staging it is refused) and *Document Imaging* (scheduled).
//!   Each application was updated in the last month.
//! - 60 imports (`Finished`, `Failed` or `Canceled`), one every 18 days, the newest (number
//!   1059, first in the list) built in the last 18 days; 120 personnel events (every
//!   `WorkflowStatus`), one needed every 8 days, the newest in the last month; and 140 access
//!   requests.
//!
//! **PERSCOM** (under `/perscom`, versions `v1` and `v2`), one company:
//! - [`PERSCOM_USERS`](Sandbox::PERSCOM_USERS) (300) users; `GET /me` is user 1. 12 ranks
//!   (Private to Major), 10 positions, 5 specialties, 6 units, 4 statuses, 8 awards and 6
//!   qualifications.
//! - Each user's records: 1 to 4 rank records, 0 to 3 award records, an assignment record, a
//!   service record and qualification records. Dates run from 1035 days (almost three years)
//!   before the clock's day to two weeks before it: users join over the first 900 days, are
//!   promoted every 30 days after joining (the newest rank records are in the last month),
//!   and the calendar events, messages and tasks are among the newest.
//! - 3 groups of the units (the roster lists them with their units and members), 8 slots, 5
//!   competencies, 3 issuers and 4 credentials, 3 forms with 6 fields and 12 submissions, 2
//!   calendars with 6 events, 2 announcements, 3 documents, 3 comments, 2 messages, a
//!   newsfeed of the latest rank and award records, 4 tasks (assigned through
//!   `/users/{id}/tasks`), 3 categories (ranks and awards attached), and each user's status
//!   history under `/users/{id}/status-records`.
//! - `include` is honoured wherever the API takes it: lists, show, search, and the responses
//!   of create, update, delete and the batch operations; a relation the resource does not
//!   allow is a 422.
//!
//! **Intacct** (under `/intacct/ia/api/v1`), the company `SANDBOX` with the entities `US-East`,
//! `US-West` and `UK`: [`INTACCT_PERMISSIONS`](Sandbox::INTACCT_PERMISSIONS) (600)
//! permissions, 14 roles with their permission assignments, 48 users (the first is `admin`), 6
//! user groups and their members; the query service pages by 100 (`size` up to 4,000). Each
//! record's `audit` says it was created in the three years before the clock's day and
//! modified since; a record created through the API is audited at the clock's "now".
//!
//! # State transitions
//!
//! | what | by the API | by the sandbox |
//! |---|---|---|
//! | Permission Assist import | stage or upload: `Pending`; cancel (`Pending` or `Running` only, else 409): `Canceling` | [`Sandbox::set_import_status`]: `Running`, `Finished`, `Failed`, `Canceled` |
//! | Permission Assist personnel event | onboard, role transition: `Pending`; offboard, leave of absence: `Scheduled` | [`Sandbox::set_personnel_event_status`]: `Open`, `Resolved`, `Completed`, ... |
//! | Permission Assist access request | created `Pending` with each personnel event | [`Sandbox::set_access_request_status`] |
//! | catch hook | delivered once per access request; answering its callback twice is a 409 | |
//! | Intacct access token | valid one hour | [`Sandbox::expire_intacct_tokens`]: expired now |
//! | Intacct refresh token | valid once (rotated by each refresh) | |

use std::sync::Arc;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers};

mod admin;
mod bodies;
mod clock;
mod error;
mod faults;
mod front;
mod intacct;
mod multipart;
mod permission_assist;
mod perscom;
mod perscom_seed;
mod perscom_webhooks;
mod request_log;
mod routes;
pub(crate) mod validate;
mod webhooks;

pub use error::SandboxError;
pub use faults::Fault;
pub use request_log::RecordedRequest;

pub use perscom_webhooks::{PerscomWebhook, WebhookMethod};
pub use webhooks::WebhookDelivery;

/// One API's mock: answers every request under its prefix.
pub(crate) trait Service: Send + Sync + 'static {
    /// The path prefix this service answers under (`/permission-assist/api`).
    fn prefix(&self) -> &'static str;
    /// Answers one request; `path` is the request path without the prefix.
    fn handle(&self, request: &Request, path: &str) -> ResponseTemplate;
}

struct Route(Arc<dyn Service>);

impl Respond for Route {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request
            .url
            .path()
            .strip_prefix(self.0.prefix())
            .unwrap_or("");
        self.0.handle(request, path)
    }
}

/// `future` as a trait object, made here: the public functions that return a future (`start`,
/// `webhooks_settled`) are plain functions that return this, not `async fn`s. An `async fn`'s
/// body is compiled where it is awaited, so each example and test binary compiled the whole
/// start-up (wiremock's and hyper's servers: a quarter of an example's code); a boxed future is
/// compiled once, in this crate, and awaited through its vtable.
fn boxed<T>(
    future: impl Future<Output = T> + Send + 'static,
) -> std::pin::Pin<Box<dyn Future<Output = T> + Send>> {
    Box::pin(future)
}

/// A running sandbox. It stops when dropped.
pub struct Sandbox {
    /// Behind a trait object, so that a program using the sandbox compiles none of its innards:
    /// dropping a `Sandbox` reaches the server's types only through the vtable, whose drop code
    /// this crate compiled once (without it, each example and test binary compiled its own copy
    /// of the drop code of hyper's and wiremock's servers).
    inner: Box<dyn Held>,
}

/// What a [`Sandbox`] holds.
struct Running {
    front: front::Front,
    /// The mocks, behind the front; held so that they live as long as the sandbox.
    _mocks: MockServer,
    parts: Arc<Parts>,
}

/// The one way to [`Running`] through the `Sandbox`'s trait object.
trait Held: Send + Sync {
    fn running(&self) -> &Running;
}

impl Held for Running {
    fn running(&self) -> &Running {
        self
    }
}

/// Builds a [`Sandbox`]: which port it listens on, and whether its clock is pinned.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use chrono::{TimeZone, Utc};
/// use permkit_sandbox::Sandbox;
///
/// let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
/// let sandbox = Sandbox::builder().now(now).port(0).start().await.unwrap();
/// assert_eq!(sandbox.now(), now);
/// # });
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SandboxBuilder {
    now: Option<chrono::DateTime<chrono::Utc>>,
    port: u16,
}

impl SandboxBuilder {
    /// Pins the sandbox's clock to `now`: the seed is placed before it (so two sandboxes
    /// pinned to the same instant hold the same data, byte for byte), and the timestamps the
    /// mocks write say `now` until [`Sandbox::set_now`] moves it. Unpinned, the clock is the
    /// wall clock.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let now = "2026-01-01T00:00:00Z".parse().unwrap();
    /// let sandbox = permkit_sandbox::Sandbox::builder().now(now).start().await.unwrap();
    /// assert_eq!(sandbox.now(), now);
    /// # });
    /// ```
    pub fn now(mut self, now: chrono::DateTime<chrono::Utc>) -> Self {
        self.now = Some(now);
        self
    }

    /// The loopback port to listen on (`127.0.0.1:port`); 0, the default, picks a free one.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::builder().port(0).start().await.unwrap();
    /// assert!(!sandbox.uri().ends_with(":0"));
    /// # });
    /// ```
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts the sandbox, seeded for every API.
    ///
    /// Webhook deliveries are made by a task on the Tokio runtime this is called on.
    ///
    /// # Errors
    ///
    /// When it cannot listen on the port (taken, or not allowed).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let first = permkit_sandbox::Sandbox::start().await;
    /// let port = first.uri().rsplit(':').next().unwrap().parse().unwrap();
    /// assert!(permkit_sandbox::Sandbox::builder().port(port).start().await.is_err());
    /// # });
    /// ```
    pub fn start(self) -> impl Future<Output = std::io::Result<Sandbox>> + Send + 'static {
        boxed(self.run())
    }

    async fn run(self) -> std::io::Result<Sandbox> {
        ensure_crypto_provider();
        let server = MockServer::start().await;
        let clock = Arc::new(clock::Clock::new(self.now));
        let outbox = Arc::new(webhooks::Outbox::start());
        let permission_assist = Arc::new(
            permission_assist::PermissionAssist::seeded(clock.clone()).with_outbox(outbox.clone()),
        );
        let perscom = Arc::new(perscom::Perscom::seeded(clock.clone()).with_outbox(outbox.clone()));
        let intacct = Arc::new(intacct::Intacct::seeded(clock.clone()));
        let services: Vec<Arc<dyn Service>> =
            vec![permission_assist.clone(), perscom.clone(), intacct.clone()];
        for service in services {
            let prefix = regex_escape(service.prefix());
            Mock::given(matchers::path_regex(format!("^{prefix}(/.*)?$")))
                .respond_with(Route(service))
                .mount(&server)
                .await;
        }
        let front = front::Front::start(
            server.uri(),
            std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
        )
        .await?;
        let parts = Arc::new(Parts {
            front: front.shared.clone(),
            outbox,
            perscom,
            permission_assist,
            intacct,
            clock,
        });
        admin::install(&parts);
        Ok(Sandbox {
            inner: Box::new(Running {
                front,
                _mocks: server,
                parts,
            }),
        })
    }
}

/// What the sandbox's methods act on, shared with its admin API (which holds it weakly, so
/// that dropping the [`Sandbox`] stops everything).
pub(crate) struct Parts {
    pub(crate) front: Arc<front::Shared>,
    pub(crate) outbox: Arc<webhooks::Outbox>,
    pub(crate) perscom: Arc<perscom::Perscom>,
    pub(crate) permission_assist: Arc<permission_assist::PermissionAssist>,
    pub(crate) intacct: Arc<intacct::Intacct>,
    /// The clock every mock reads "now" from.
    pub(crate) clock: Arc<clock::Clock>,
}

/// What the sandbox's methods do, for [`Sandbox`] and the admin API alike.
impl Parts {
    /// Arms `fault` if some API has its operation (see [`Sandbox::try_fault`]).
    pub(crate) fn try_fault(&self, fault: Fault) -> Result<(), SandboxError> {
        faults::check_operation(&fault)?;
        self.front.faults.arm(fault);
        Ok(())
    }

    /// Each armed fault with how many calls it caught, in the order armed.
    pub(crate) fn faults(&self) -> Vec<(Fault, u32)> {
        self.front.faults.list()
    }

    /// The armed faults that caught no call yet.
    pub(crate) fn unfired_faults(&self) -> Vec<Fault> {
        self.front.faults.unfired()
    }

    /// Disarms every fault.
    pub(crate) fn clear_faults(&self) {
        self.front.faults.clear();
    }

    /// Moves Permission Assist import `id` to `status` (an `ImportStatus`).
    pub(crate) fn set_import_status(&self, id: &str, status: &str) -> Result<(), SandboxError> {
        spec_value("ImportStatus", status)?;
        found(
            self.permission_assist.set_import_status(id, status),
            "import",
            id,
        )
    }

    /// Moves Permission Assist personnel event `id` to `status` (a `WorkflowStatus`).
    pub(crate) fn set_personnel_event_status(
        &self,
        id: &str,
        status: &str,
    ) -> Result<(), SandboxError> {
        spec_value("WorkflowStatus", status)?;
        found(
            self.permission_assist.set_event_status(id, status),
            "personnel event",
            id,
        )
    }

    /// Moves Permission Assist access request `id` to `status` (a `WorkflowStatus`).
    pub(crate) fn set_access_request_status(
        &self,
        id: &str,
        status: &str,
    ) -> Result<(), SandboxError> {
        spec_value("WorkflowStatus", status)?;
        found(
            self.permission_assist.set_access_request_status(id, status),
            "access request",
            id,
        )
    }

    /// The sandbox's "now".
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Pins the sandbox's clock to `now`.
    pub(crate) fn set_now(&self, now: chrono::DateTime<chrono::Utc>) {
        self.clock.pin(now);
    }

    /// Every API back to its seed (placed before the clock's "now"), faults, the request log
    /// and the webhook delivery log cleared, webhooks and catch hooks removed.
    pub(crate) fn reset(&self) {
        self.front.faults.clear();
        self.perscom.reset();
        self.permission_assist.reset();
        self.intacct.reset();
        self.outbox.clear_log();
        self.front.clear_requests();
    }

    /// Resolves when every webhook delivery queued so far was made to its end.
    pub(crate) fn webhooks_settled(
        &self,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.outbox.settled()
    }
}

/// `Ok` if Permission Assist's spec lists `value` in the enum `schema`.
fn spec_value(schema: &'static str, value: &str) -> Result<(), SandboxError> {
    let allowed = bodies::enum_values(permkit_core::Api::PermissionAssist, schema);
    if allowed.is_empty() || allowed.contains(&value) {
        Ok(())
    } else {
        Err(SandboxError::unknown_value(schema, value, allowed))
    }
}

/// `Ok` if the sandbox found the `what` with id `id`.
fn found(found: bool, what: &'static str, id: &str) -> Result<(), SandboxError> {
    if found {
        Ok(())
    } else {
        Err(SandboxError::not_found(what, id))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.parts.outbox.stop();
        if !std::thread::panicking() {
            for fault in self.parts.unfired_faults() {
                eprintln!(
                    "permkit-sandbox: fault on {} never fired (armed after the calls it targets?)",
                    fault.operation_id()
                );
            }
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("uri", &self.uri()).finish()
    }
}

impl Sandbox {
    fn parts(&self) -> &Arc<Parts> {
        &self.inner.running().parts
    }

    /// The token the Permission Assist sandbox accepts.
    pub const PERMISSION_ASSIST_TOKEN: &'static str = "pa_sandbox_token";
    /// The API key the PERSCOM sandbox accepts with every scope.
    pub const PERSCOM_API_KEY: &'static str = "perscom_sandbox_key";
    /// A PERSCOM sandbox key that lacks some scopes (403s name the missing one).
    pub const PERSCOM_LIMITED_API_KEY: &'static str = "perscom_sandbox_limited_key";
    /// The Intacct sandbox's OAuth2 client id.
    pub const INTACCT_CLIENT_ID: &'static str = "sandbox-client";
    /// The Intacct sandbox's OAuth2 client secret.
    pub const INTACCT_CLIENT_SECRET: &'static str = "sandbox-secret";
    /// The Intacct sandbox's user (`user@company`).
    pub const INTACCT_USERNAME: &'static str = "admin@SANDBOX";
    /// An Intacct access token the sandbox accepts from the start (company level, no entity),
    /// for a client built with `.token(..)` instead of minting one through `create_token`.
    /// [`Sandbox::expire_intacct_tokens`] expires it too.
    pub const INTACCT_TOKEN: &'static str = "intacct_sandbox_token";

    /// How many identities the Permission Assist sandbox is seeded with.
    pub const PERMISSION_ASSIST_IDENTITIES: u64 = 230;
    /// The first identity in Permission Assist's list (Anthony Anderson, `Active`).
    pub const PERMISSION_ASSIST_IDENTITY: uuid::Uuid =
        uuid::Uuid::from_u128(0xe8e05c2e_fb1f_44ba_95c6_da59cfdffd08);
    /// A Permission Assist application with a scheduled connector (Jack Henry Silverlake):
    /// `stage_application_import` takes it.
    pub const PERMISSION_ASSIST_SCHEDULED_APPLICATION: uuid::Uuid =
        uuid::Uuid::from_u128(0x720d180c_e80b_40de_8750_b527586b7524);
    /// A Permission Assist application with a file connector (Valkyrie Loan Origination):
    /// `upload_application_import` takes it, with a part for the required file group
    /// [`PERMISSION_ASSIST_FILE_GROUP`](Sandbox::PERMISSION_ASSIST_FILE_GROUP).
    pub const PERMISSION_ASSIST_FILE_APPLICATION: uuid::Uuid =
        uuid::Uuid::from_u128(0x8338f6d1_cb06_4914_99bc_3d71f4417d87);
    /// The required file group (*Employees*) of
    /// [`PERMISSION_ASSIST_FILE_APPLICATION`](Sandbox::PERMISSION_ASSIST_FILE_APPLICATION).
    pub const PERMISSION_ASSIST_FILE_GROUP: uuid::Uuid =
        uuid::Uuid::from_u128(0xc30c84b6_e243_4afb_bc5e_17fa693fa1d7);
    /// An archived Permission Assist application (Legacy Teller System): staging it is a 400.
    pub const PERMISSION_ASSIST_ARCHIVED_APPLICATION: uuid::Uuid =
        uuid::Uuid::from_u128(0xccfc6f60_b278_40ab_96bd_6775af808835);
    /// How many users the PERSCOM sandbox is seeded with (ids 1 to 300).
    pub const PERSCOM_USERS: u64 = 300;
    /// How many permissions the Intacct sandbox is seeded with.
    pub const INTACCT_PERMISSIONS: u64 = 600;

    /// Starts a sandbox on a free local port, seeded for every API, its clock the wall
    /// clock. [`Sandbox::builder`] chooses the port and pins the clock.
    ///
    /// Webhook deliveries are made by a task on the Tokio runtime this is called on.
    ///
    /// # Panics
    ///
    /// If it cannot listen on a loopback port.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// assert!(sandbox.uri().starts_with("http://127.0.0.1:"));
    /// # });
    /// ```
    pub fn start() -> impl Future<Output = Sandbox> + Send + 'static {
        boxed(async {
            Sandbox::builder()
                .start()
                .await
                .expect("the sandbox cannot listen on a loopback port")
        })
    }

    /// A builder of a sandbox: its port and its clock.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use chrono::{TimeZone, Utc};
    /// let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).unwrap();
    /// let sandbox = permkit_sandbox::Sandbox::builder().now(now).start().await.unwrap();
    /// assert_eq!(sandbox.now(), now);
    /// # });
    /// ```
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The server's root URL (`http://127.0.0.1:PORT`).
    pub fn uri(&self) -> String {
        format!("http://{}", self.inner.running().front.addr)
    }

    /// Permission Assist's base URL (ending in `/api`).
    pub fn permission_assist_url(&self) -> String {
        format!("{}{}", self.uri(), permission_assist::PREFIX)
    }

    /// PERSCOM's host URL (the SDK adds the version).
    pub fn perscom_url(&self) -> String {
        format!("{}{}", self.uri(), perscom::PREFIX)
    }

    /// Intacct's base URL (ending in `/ia/api/v1`).
    pub fn intacct_url(&self) -> String {
        format!("{}{}", self.uri(), intacct::PREFIX)
    }

    /// Every request the sandbox received since it started (or since
    /// [`clear_requests`](Sandbox::clear_requests)), oldest first: method, path, query,
    /// operation, headers and body, credentials redacted, and what the sandbox answered.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit_sandbox::Sandbox;
    /// let sandbox = Sandbox::start().await;
    /// let client = permkit::perscom::Client::builder(sandbox.perscom_url())
    ///     .api_key(Sandbox::PERSCOM_API_KEY)
    ///     .build()
    ///     .unwrap();
    /// client.list_users().send().await.unwrap();
    /// let calls = sandbox.requests();
    /// assert_eq!(calls.len(), 1);
    /// assert_eq!(calls[0].operation_id, Some("list_users"));
    /// # });
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.parts().front.requests()
    }

    /// Forgets the requests received so far.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// sandbox.clear_requests();
    /// assert!(sandbox.requests().is_empty());
    /// # });
    /// ```
    pub fn clear_requests(&self) {
        self.parts().front.clear_requests();
    }

    /// Arms `fault`: from now on the calls it matches fail as it says (see [`Fault`]). Faults
    /// are consulted in the order they were armed; each counts the calls it matches.
    ///
    /// A fault that never fires is reported when the sandbox is dropped (see
    /// [`unfired_faults`](Sandbox::unfired_faults)).
    ///
    /// # Panics
    ///
    /// If no API has the fault's operation (a misspelt `operationId` would otherwise never
    /// fire): the message names the closest known ones, as [`try_fault`](Sandbox::try_fault)'s
    /// error does.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit_sandbox::{Fault, Sandbox};
    /// let sandbox = Sandbox::start().await;
    /// sandbox.fault(Fault::on("get_identity").status(404).times(1));
    /// let client = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
    ///     .token(Sandbox::PERMISSION_ASSIST_TOKEN)
    ///     .build()
    ///     .unwrap();
    /// let err = client.get_identity(uuid::Uuid::nil()).send().await.unwrap_err();
    /// assert_eq!(err.status(), Some(404));
    /// # });
    /// ```
    #[track_caller]
    pub fn fault(&self, fault: Fault) {
        if let Err(e) = self.try_fault(fault) {
            panic!("{e}");
        }
    }

    /// Arms `fault` as [`fault`](Sandbox::fault) does, or refuses it when no API's spec has
    /// its operation: [`SandboxError::UnknownOperation`], naming the known operations closest
    /// to it (`no operation "get_identiy" in any API; did you mean get_identity, ...?`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit_sandbox::{Fault, Sandbox, SandboxError};
    /// let sandbox = Sandbox::start().await;
    /// assert!(sandbox.try_fault(Fault::on("listIdentities").status(503)).is_ok());
    /// let err = sandbox.try_fault(Fault::on("list_identites").status(503)).unwrap_err();
    /// assert!(err.to_string().contains("did you mean list_identities"));
    /// # sandbox.clear_faults();
    /// # });
    /// ```
    pub fn try_fault(&self, fault: Fault) -> Result<(), SandboxError> {
        self.parts().try_fault(fault)
    }

    /// Each armed fault, in the order armed, with how many calls it has caught so far. A
    /// fault that caught every call it was for ([`times`](Fault::times),
    /// [`nth_call`](Fault::nth_call)) has disarmed itself and is not listed.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit_sandbox::{Fault, Sandbox};
    /// let sandbox = Sandbox::start().await;
    /// sandbox.fault(Fault::on("list_users").status(503));
    /// let client = permkit::perscom::Client::builder(sandbox.perscom_url())
    ///     .api_key(Sandbox::PERSCOM_API_KEY)
    ///     .retry(permkit::RetryPolicy::none())
    ///     .build()
    ///     .unwrap();
    /// let _ = client.list_users().send().await;
    /// let faults = sandbox.faults();
    /// assert_eq!(faults[0].0.operation_id(), "list_users");
    /// assert_eq!(faults[0].1, 1);
    /// # });
    /// ```
    pub fn faults(&self) -> Vec<(Fault, u32)> {
        self.parts().faults()
    }

    /// The armed faults that have never fired, in the order armed: a fault armed after the
    /// calls it was meant for, or narrowed to a path or a call that never came. When a sandbox
    /// is dropped, each is reported on stderr (`permkit-sandbox: fault on list_identities
    /// never fired (armed after the calls it targets?)`), unless the thread is panicking.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit_sandbox::{Fault, Sandbox};
    /// let sandbox = Sandbox::start().await;
    /// sandbox.fault(Fault::on("list_identities").status(503).nth_call(2));
    /// assert_eq!(sandbox.unfired_faults().len(), 1);
    /// # sandbox.clear_faults();
    /// # });
    /// ```
    pub fn unfired_faults(&self) -> Vec<Fault> {
        self.parts().unfired_faults()
    }

    /// Disarms every fault.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// sandbox.fault(permkit_sandbox::Fault::on("list_users").status(503));
    /// sandbox.clear_faults();
    /// assert!(sandbox.faults().is_empty());
    /// # });
    /// ```
    pub fn clear_faults(&self) {
        self.parts().clear_faults();
    }

    /// Moves Permission Assist import `import_id` to `status`, as the vendor's builder would
    /// (`Pending` -> `Running` -> `Finished` or `Failed`; `Canceling` -> `Canceled`), so a
    /// poll-until-done loop can reach its end. `Running` stamps `buildStart`; a final status
    /// stamps `buildEnd` and writes the `log` (`metrics` too, for `Finished`), at the
    /// sandbox's [`now`](Sandbox::now). Any status may be set from any other.
    ///
    /// `status` is the status's wire text: permkit's `ImportStatus` (its `Display`), or text.
    ///
    /// # Errors
    ///
    /// [`SandboxError::UnknownValue`] when the spec's `ImportStatus` does not list `status`;
    /// [`SandboxError::NotFound`] when the sandbox has no such import.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit::permission_assist::{Client, types, types::ImportStatus};
    /// use permkit_sandbox::Sandbox;
    ///
    /// let sandbox = Sandbox::start().await;
    /// let client = Client::builder(sandbox.permission_assist_url())
    ///     .token(Sandbox::PERMISSION_ASSIST_TOKEN)
    ///     .build()
    ///     .unwrap();
    /// let request = types::StageImportRequest {
    ///     application_id: Sandbox::PERMISSION_ASSIST_SCHEDULED_APPLICATION,
    /// };
    /// let staged = client.stage_application_import().body(request).send().await.unwrap();
    /// assert_eq!(staged.status, ImportStatus::Pending);
    /// sandbox.set_import_status(staged.id, ImportStatus::Finished).unwrap();
    /// let done = client.get_application_import(staged.id).send().await.unwrap();
    /// assert_eq!(done.status, ImportStatus::Finished);
    /// // A status the spec does not list is refused.
    /// assert!(sandbox.set_import_status(staged.id, "Done").is_err());
    /// # });
    /// ```
    pub fn set_import_status(
        &self,
        import_id: uuid::Uuid,
        status: impl std::fmt::Display,
    ) -> Result<(), SandboxError> {
        self.parts()
            .set_import_status(&import_id.to_string(), &status.to_string())
    }

    /// Moves Permission Assist personnel event `event_id` to `status` (`Pending`/`Scheduled`
    /// -> `Open` -> `Resolved` or `Completed`, or `Canceled`, `Snoozed`). `Resolved` and
    /// `Completed` stamp `completedOn` with the sandbox's [`now`](Sandbox::now).
    ///
    /// # Errors
    ///
    /// [`SandboxError::UnknownValue`] when the spec's `WorkflowStatus` does not list
    /// `status`; [`SandboxError::NotFound`] when the sandbox has no such event.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit::permission_assist::types::WorkflowStatus;
    /// use permkit_sandbox::SandboxError;
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// let err = sandbox
    ///     .set_personnel_event_status(uuid::Uuid::nil(), WorkflowStatus::Resolved)
    ///     .unwrap_err();
    /// assert!(matches!(err, SandboxError::NotFound { .. }));
    /// # });
    /// ```
    pub fn set_personnel_event_status(
        &self,
        event_id: uuid::Uuid,
        status: impl std::fmt::Display,
    ) -> Result<(), SandboxError> {
        self.parts()
            .set_personnel_event_status(&event_id.to_string(), &status.to_string())
    }

    /// Moves Permission Assist access request `request_id` to `status` (`Pending` -> `Open`
    /// -> `Resolved`).
    ///
    /// # Errors
    ///
    /// [`SandboxError::UnknownValue`] when the spec's `WorkflowStatus` does not list
    /// `status`; [`SandboxError::NotFound`] when the sandbox has no such request.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit::permission_assist::types::WorkflowStatus;
    /// use permkit_sandbox::SandboxError;
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// let err = sandbox.set_access_request_status(uuid::Uuid::nil(), "Approved").unwrap_err();
    /// assert!(matches!(err, SandboxError::UnknownValue { .. }));
    /// # let _ = WorkflowStatus::Open;
    /// # });
    /// ```
    pub fn set_access_request_status(
        &self,
        request_id: uuid::Uuid,
        status: impl std::fmt::Display,
    ) -> Result<(), SandboxError> {
        self.parts()
            .set_access_request_status(&request_id.to_string(), &status.to_string())
    }

    /// The sandbox's "now": the instant its clock is pinned to, or the wall clock.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// let drift = chrono::Utc::now() - sandbox.now();
    /// assert!(drift.num_seconds().abs() < 60);
    /// # });
    /// ```
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.parts().now()
    }

    /// Pins the sandbox's clock to `now` from then on: the timestamps the mocks write
    /// (`created_at`, `buildEnd`, an Intacct audit, a webhook's `created`) say `now`, and
    /// Permission Assist's "today" is its day. The seed stays as it is until
    /// [`reset`](Sandbox::reset) places it before the new "now".
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// let now = "2027-02-03T04:05:06Z".parse().unwrap();
    /// sandbox.set_now(now);
    /// assert_eq!(sandbox.now(), now);
    /// # });
    /// ```
    pub fn set_now(&self, now: chrono::DateTime<chrono::Utc>) {
        self.parts().set_now(now);
    }

    /// Puts the sandbox back as a fresh one would be: every API back to its seed, placed
    /// before the current [`now`](Sandbox::now); faults disarmed; the request log and the
    /// webhook delivery log cleared; PERSCOM webhooks and Permission Assist catch hooks
    /// removed; Intacct's tokens forgotten ([`INTACCT_TOKEN`](Sandbox::INTACCT_TOKEN) valid
    /// again). The clock stays as it is. Deliveries already queued are still made.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit::permission_assist::types::ImportStatus;
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// sandbox.expire_intacct_tokens();
    /// sandbox.fault(permkit_sandbox::Fault::on("list_users").status(503));
    /// sandbox.reset();
    /// assert!(sandbox.faults().is_empty());
    /// assert!(sandbox.requests().is_empty());
    /// # });
    /// ```
    pub fn reset(&self) {
        self.parts().reset();
    }

    /// Resolves when every webhook delivery queued so far (PERSCOM webhooks and Permission
    /// Assist catch hooks, for the calls already answered) has been made to its end: answered
    /// with a 2xx, or its last try made. A test awaits it instead of polling
    /// [`webhook_deliveries`](Sandbox::webhook_deliveries). Deliveries queued after the call
    /// are not waited for. It borrows nothing, and resolves too if the sandbox is dropped.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// sandbox.webhooks_settled().await; // nothing queued: at once
    /// assert!(sandbox.webhook_deliveries().is_empty());
    /// # });
    /// ```
    pub fn webhooks_settled(&self) -> impl Future<Output = ()> + Send + 'static {
        boxed(self.parts().webhooks_settled())
    }

    /// Expires every Intacct access token issued so far, [`Sandbox::INTACCT_TOKEN`] included:
    /// the next call with one gets Intacct's 401 `GW-0031`, so re-authentication can be
    /// tested. Refresh tokens stay valid; tokens issued later are valid.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// sandbox.expire_intacct_tokens();
    /// # });
    /// ```
    pub fn expire_intacct_tokens(&self) {
        self.parts().intacct.expire_tokens();
    }

    /// Registers a PERSCOM webhook, as PERSCOM's dashboard does: from now on every create,
    /// update and delete made through the PERSCOM sandbox on a resource PERSCOM sends events
    /// for (users and their assignment, award, qualification, rank and service records) is
    /// delivered to its URL, after the response to the request that made it.
    ///
    /// Deliveries are made as PERSCOM makes them: a `POST` of the event as PHP's `json_encode`
    /// writes it (`\/` and `\uXXXX` escapes), `Content-Type: application/json`, a `Signature`
    /// header (hex HMAC-SHA256 of the body with the webhook's secret), the payload of PERSCOM's
    /// server (`event`, `created`, `request_id`, `trace_id`, `data`, `changes`), 3 seconds per
    /// try and up to 3 tries when the receiver fails or answers other than 2xx (with a backoff
    /// of milliseconds, not PERSCOM's). The `request_id` and `trace_id` of an event are also in
    /// the `X-Perscom-Request-Id` and `X-Perscom-Trace-Id` headers of the response to the
    /// request that caused it.
    ///
    /// ```no_run
    /// # async fn demo() -> permkit::Result<()> {
    /// use permkit::perscom::{Client, types};
    /// use permkit_sandbox::{PerscomWebhook, Sandbox};
    ///
    /// let sandbox = Sandbox::start().await;
    /// sandbox.register_perscom_webhook(PerscomWebhook::new("http://127.0.0.1:8080/perscom", "s3cret"));
    /// let client = Client::builder(sandbox.perscom_url()).api_key(Sandbox::PERSCOM_API_KEY).build()?;
    /// let new: types::UserCreate = serde_json::from_value(serde_json::json!({"name": "Pat", "email": "pat@example.mil"})).unwrap();
    /// client.create_user().body(new).send().await?; // `user.created` is delivered to :8080
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// If the webhook could never be delivered (its URL is not an absolute http or https one,
    /// or it asks for an event PERSCOM does not send), as [`fault`](Sandbox::fault) panics on
    /// an unknown operation; [`try_register_perscom_webhook`](Sandbox::try_register_perscom_webhook)
    /// returns the error instead.
    #[track_caller]
    pub fn register_perscom_webhook(&self, webhook: PerscomWebhook) {
        if let Err(e) = self.try_register_perscom_webhook(webhook) {
            panic!("{e}");
        }
    }

    /// Registers a PERSCOM webhook as [`register_perscom_webhook`](Sandbox::register_perscom_webhook)
    /// does, or refuses one that could never be delivered:
    /// [`SandboxError::InvalidWebhook`] when its URL is not an absolute http or https one or
    /// it asks for an event PERSCOM does not send (`user.craeted`), rather than registering a
    /// webhook that would fail every delivery or never fire.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit_sandbox::{PerscomWebhook, Sandbox, SandboxError};
    /// let sandbox = Sandbox::start().await;
    /// let hook = PerscomWebhook::new("http://127.0.0.1:8080/perscom", "s3cret");
    /// assert!(sandbox.try_register_perscom_webhook(hook.events(["user.craeted"])).is_err());
    /// let err = sandbox
    ///     .try_register_perscom_webhook(PerscomWebhook::new("127.0.0.1:8080/perscom", "s3cret"))
    ///     .unwrap_err();
    /// assert!(matches!(err, SandboxError::InvalidWebhook { .. }));
    /// assert!(sandbox.webhook_deliveries().is_empty());
    /// # });
    /// ```
    pub fn try_register_perscom_webhook(
        &self,
        webhook: PerscomWebhook,
    ) -> Result<(), SandboxError> {
        self.parts()
            .perscom
            .register(webhook)
            .map_err(SandboxError::invalid_webhook)
    }

    /// Registers a Permission Assist catch hook at `url`: from now on, each access request the
    /// sandbox creates is posted there as a catch hook payload (`id`, `createdDate`,
    /// `callback`, `event` with `name`, `display`, `description` and the `request`), once.
    ///
    /// The sandbox creates an access request with every personnel event (onboard: `Add`,
    /// offboard: `Remove`, role transition: `Change`, leave of absence: `Suspend`). The
    /// vendor's event names are not documented: the sandbox names its event
    /// `AccessRequestCreated`. The `callback` is on the sandbox's Permission Assist
    /// (`.../catch-hooks/{id}/callback`); answering it (with the sandbox's token) adds the
    /// response to the request's `activity`, and a second answer is a 409 `conflict`.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// sandbox.register_permission_assist_catch_hook("http://127.0.0.1:8080/permission-assist");
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If `url` is not an absolute http or https URL;
    /// [`try_register_permission_assist_catch_hook`](Sandbox::try_register_permission_assist_catch_hook)
    /// returns the error instead.
    #[track_caller]
    pub fn register_permission_assist_catch_hook(&self, url: impl Into<String>) {
        if let Err(e) = self.try_register_permission_assist_catch_hook(url) {
            panic!("{e}");
        }
    }

    /// Registers a Permission Assist catch hook as
    /// [`register_permission_assist_catch_hook`](Sandbox::register_permission_assist_catch_hook)
    /// does, or refuses a `url` that is not an absolute http or https URL
    /// ([`SandboxError::InvalidWebhook`]), which no delivery could reach.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// let err = sandbox.try_register_permission_assist_catch_hook("localhost:8080/pa").unwrap_err();
    /// assert!(err.to_string().contains("http or https"), "{err}");
    /// # });
    /// ```
    pub fn try_register_permission_assist_catch_hook(
        &self,
        url: impl Into<String>,
    ) -> Result<(), SandboxError> {
        self.parts()
            .permission_assist
            .register(url.into())
            .map_err(SandboxError::invalid_webhook)
    }

    /// Every webhook delivery attempt so far, oldest first: the event, the URL, the try and the
    /// receiver's status.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// assert!(sandbox.webhook_deliveries().is_empty());
    /// # });
    /// ```
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.parts().outbox.log()
    }
}

/// Makes *ring* the process's rustls crypto provider unless one is installed already: the
/// sandbox's reqwest clients (to its mocks, to webhook receivers) need one, and with permkit's
/// default `rustls` feature reqwest brings none of its own.
fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Fails only if another thread installed one meanwhile: that one is used.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// The reason phrase of `status` (`Service Unavailable`), or `Error`.
pub(crate) fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

/// A JSON response.
pub(crate) fn json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// The request's query parameters.
pub(crate) fn query(request: &Request) -> std::collections::HashMap<String, String> {
    request.url.query_pairs().into_owned().collect()
}

/// The request's bearer token, if any.
pub(crate) fn bearer(request: &Request) -> Option<String> {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
}

/// A small deterministic generator for seed data (no randomness between runs).
pub(crate) struct Seed(u64);

impl Seed {
    pub(crate) fn new(seed: u64) -> Self {
        Seed(seed)
    }
    /// The next number in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
    /// One of `items`.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// A deterministic UUID.
    pub(crate) fn uuid(&mut self) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        for chunk in bytes.chunks_mut(4) {
            self.below(1);
            chunk.copy_from_slice(&((self.0 >> 32) as u32).to_be_bytes());
        }
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// Common first names for seed data.
pub(crate) const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Ana",
    "Ashley",
    "Kevin",
    "Emily",
    "Brian",
    "Donna",
];

/// Common last names for seed data.
pub(crate) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
];
