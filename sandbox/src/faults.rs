//! Fault injection: [`Fault`], what the sandbox does instead of answering a call, and the list
//! of armed faults the sandbox's front consults for every request.

use crate::error::SandboxError;
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

/// A failure the sandbox injects into calls of one operation: an error status with the
/// vendor's own error body, a `Retry-After`, added latency, or a dropped connection.
///
/// Build one with [`Fault::on`] and arm it with [`Sandbox::fault`](super::Sandbox::fault).
/// The sandbox writes the error body the API itself would send for the status (PERSCOM's
/// `{"error": {"message", "type", ...}}`, Permission Assist's `{"error", "message",
/// "correlationId"}`, Intacct's `ia::error` or, from its token endpoint, OAuth's `{"error",
/// "error_description"}`), so tests never spell a vendor's JSON.
///
/// A fault catches every call of its operation until [cleared](super::Sandbox::clear_faults),
/// or only [`times`](Fault::times) calls; [`nth_call`](Fault::nth_call) lets the first calls
/// through, and [`path`](Fault::path) narrows it to one resource. With no status and no drop
/// it only adds [`latency`](Fault::latency) and the call is then answered as usual.
///
/// ```
/// use permkit_sandbox::Fault;
/// use std::time::Duration;
///
/// // The next two calls of `list_identities` answer 503.
/// let outage = Fault::on("list_identities").status(503).times(2);
/// // Rate-limit the third call of `get_identity`, asking for a one-second wait.
/// let throttled = Fault::on("getIdentity")
///     .status(429)
///     .retry_after(Duration::from_secs(1))
///     .nth_call(3);
/// // Every call of `get_role` is slow.
/// let slow = Fault::on("get_role").latency(Duration::from_millis(200));
/// // The connection drops after half of the response body was sent.
/// let cut = Fault::on("list_users").drop_mid_body().times(1);
/// # let _ = (outage, throttled, slow, cut);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fault {
    pub(crate) operation_id: String,
    pub(crate) path: Option<String>,
    pub(crate) nth_call: Option<u32>,
    pub(crate) times: Option<u32>,
    pub(crate) status: Option<u16>,
    pub(crate) message: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) latency: Option<Duration>,
    pub(crate) drop: Option<Drop>,
}

/// Where a fault cuts the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drop {
    /// Before any byte of the response.
    BeforeResponse,
    /// After the status, the headers (with the full `Content-Length`) and half of the body.
    MidBody,
}

impl Fault {
    /// A fault on the operation `operation_id`, as the spec names it (`list_identities`; the
    /// camel-case spelling `listIdentities` is taken too). Until a status, a drop or latency
    /// is set, it does nothing.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("listIdentities").status(500);
    /// # let _ = fault;
    /// ```
    pub fn on(operation_id: impl AsRef<str>) -> Fault {
        Fault {
            operation_id: snake_case(operation_id.as_ref()),
            path: None,
            nth_call: None,
            times: None,
            status: None,
            message: None,
            retry_after: None,
            latency: None,
            drop: None,
        }
    }

    /// Answers with `status` and the API's error body for it.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("get_identity").status(404);
    /// # let _ = fault;
    /// ```
    pub fn status(mut self, status: u16) -> Fault {
        self.status = Some(status);
        self
    }

    /// The message in the error body, instead of the API's own text for the status.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("get_role").status(500).message("database is down");
    /// # let _ = fault;
    /// ```
    pub fn message(mut self, message: impl Into<String>) -> Fault {
        self.message = Some(message.into());
        self
    }

    /// Adds a `Retry-After` header (whole seconds, rounded up) to the error answer.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fault = permkit_sandbox::Fault::on("list_users").status(429).retry_after(Duration::from_secs(2));
    /// # let _ = fault;
    /// ```
    pub fn retry_after(mut self, wait: Duration) -> Fault {
        self.retry_after = Some(wait);
        self
    }

    /// Waits `latency` before answering (or before dropping the connection).
    ///
    /// ```
    /// use std::time::Duration;
    /// let fault = permkit_sandbox::Fault::on("list_roles").latency(Duration::from_millis(300));
    /// # let _ = fault;
    /// ```
    pub fn latency(mut self, latency: Duration) -> Fault {
        self.latency = Some(latency);
        self
    }

    /// Closes the connection without answering.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("create_token").drop_connection().times(1);
    /// # let _ = fault;
    /// ```
    pub fn drop_connection(mut self) -> Fault {
        self.drop = Some(Drop::BeforeResponse);
        self
    }

    /// Answers as usual (status, headers, the full `Content-Length`) but closes the connection
    /// after half of the body.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("list_identities").drop_mid_body().times(1);
    /// # let _ = fault;
    /// ```
    pub fn drop_mid_body(mut self) -> Fault {
        self.drop = Some(Drop::MidBody);
        self
    }

    /// Catches only calls whose path (on the sandbox, without the query) ends with `path`, e.g.
    /// one identity's `/identities/{id}`.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("get_user").path("/users/7").status(404);
    /// # let _ = fault;
    /// ```
    pub fn path(mut self, path: impl Into<String>) -> Fault {
        self.path = Some(path.into());
        self
    }

    /// Lets the first `n - 1` matching calls through and catches the `n`th (counted from when
    /// the fault is armed); with [`times`](Fault::times), that many calls from the `n`th on,
    /// otherwise the `n`th only.
    ///
    /// ```
    /// let third = permkit_sandbox::Fault::on("list_users").status(502).nth_call(3);
    /// # let _ = third;
    /// ```
    pub fn nth_call(mut self, n: u32) -> Fault {
        self.nth_call = Some(n.max(1));
        self
    }

    /// Catches `n` calls, then disarms itself. Without it a fault lasts until cleared
    /// (or, with [`nth_call`](Fault::nth_call), catches one call).
    ///
    /// ```
    /// let twice = permkit_sandbox::Fault::on("list_users").status(503).times(2);
    /// # let _ = twice;
    /// ```
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    fn limit(&self) -> Option<u32> {
        self.times.or(self.nth_call.map(|_| 1))
    }

    /// The operation the fault is on, snake-cased (`list_identities`).
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("listIdentities");
    /// assert_eq!(fault.operation_id(), "list_identities");
    /// ```
    pub fn operation_id(&self) -> &str {
        &self.operation_id
    }

    /// The end of the path the fault is narrowed to, if any (see [`path`](Fault::path)).
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("get_user").path("/users/7");
    /// assert_eq!(fault.path_suffix(), Some("/users/7"));
    /// ```
    pub fn path_suffix(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The matching call the fault starts catching at, if set (see [`nth_call`](Fault::nth_call)).
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("list_users").nth_call(3);
    /// assert_eq!(fault.starts_at_call(), Some(3));
    /// ```
    pub fn starts_at_call(&self) -> Option<u32> {
        self.nth_call
    }

    /// How many calls the fault catches before it disarms itself, if limited (see
    /// [`times`](Fault::times); with only [`nth_call`](Fault::nth_call) set, one).
    ///
    /// ```
    /// use permkit_sandbox::Fault;
    /// assert_eq!(Fault::on("list_users").times(2).call_limit(), Some(2));
    /// assert_eq!(Fault::on("list_users").nth_call(4).call_limit(), Some(1));
    /// assert_eq!(Fault::on("list_users").call_limit(), None);
    /// ```
    pub fn call_limit(&self) -> Option<u32> {
        self.limit()
    }

    /// The status the fault answers with, if any.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("get_identity").status(404);
    /// assert_eq!(fault.status_code(), Some(404));
    /// ```
    pub fn status_code(&self) -> Option<u16> {
        self.status
    }

    /// The message the error body carries instead of the API's own, if set.
    ///
    /// ```
    /// let fault = permkit_sandbox::Fault::on("get_role").status(500).message("down");
    /// assert_eq!(fault.error_message(), Some("down"));
    /// ```
    pub fn error_message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `Retry-After` the error answer carries, if set.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fault = permkit_sandbox::Fault::on("list_users").status(429).retry_after(Duration::from_secs(2));
    /// assert_eq!(fault.retry_after_wait(), Some(Duration::from_secs(2)));
    /// ```
    pub fn retry_after_wait(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The latency added before answering, if set.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fault = permkit_sandbox::Fault::on("list_roles").latency(Duration::from_millis(300));
    /// assert_eq!(fault.added_latency(), Some(Duration::from_millis(300)));
    /// ```
    pub fn added_latency(&self) -> Option<Duration> {
        self.latency
    }

    /// Whether the fault closes the connection without answering
    /// ([`drop_connection`](Fault::drop_connection)).
    ///
    /// ```
    /// assert!(permkit_sandbox::Fault::on("create_token").drop_connection().drops_connection());
    /// ```
    pub fn drops_connection(&self) -> bool {
        self.drop == Some(Drop::BeforeResponse)
    }

    /// Whether the fault closes the connection in the middle of the body
    /// ([`drop_mid_body`](Fault::drop_mid_body)).
    ///
    /// ```
    /// assert!(permkit_sandbox::Fault::on("list_identities").drop_mid_body().drops_mid_body());
    /// ```
    pub fn drops_mid_body(&self) -> bool {
        self.drop == Some(Drop::MidBody)
    }
}

/// Whether some API has the operation `fault` is on; if none has, the error names the known
/// operations closest to it.
pub(crate) fn check_operation(fault: &Fault) -> Result<(), SandboxError> {
    let wanted = fault.operation_id.as_str();
    let known: BTreeSet<String> = crate::routes::operation_ids().map(snake_case).collect();
    if known.contains(wanted) {
        return Ok(());
    }
    let mut close: Vec<(usize, &String)> = known
        .iter()
        .map(|id| (edit_distance(wanted, id), id))
        .filter(|(d, _)| *d <= MAX_SUGGESTION_DISTANCE)
        .collect();
    close.sort();
    let suggestions = close
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, id)| id.clone())
        .collect();
    Err(SandboxError::unknown_operation(wanted, suggestions))
}

/// How far (in edits) a known operation id may be from an unknown one to be suggested.
const MAX_SUGGESTION_DISTANCE: usize = 3;
/// How many known ids an unknown-operation error suggests at most.
const MAX_SUGGESTIONS: usize = 3;

/// The Levenshtein distance between `a` and `b` (insertions, deletions, substitutions).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// `listIdentities` -> `list_identities`; snake case stays as it is.
fn snake_case(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

struct Armed {
    fault: Fault,
    /// Matching calls seen so far.
    seen: u32,
    /// Calls caught so far.
    caught: u32,
}

/// The armed faults, in the order they were armed.
#[derive(Default)]
pub(crate) struct Faults(Mutex<Vec<Armed>>);

impl Faults {
    pub(crate) fn arm(&self, fault: Fault) {
        self.lock().push(Armed {
            fault,
            seen: 0,
            caught: 0,
        });
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// Each armed fault, in the order armed, with how many calls it has caught. A fault that
    /// caught all the calls it was for has disarmed itself and is not listed.
    pub(crate) fn list(&self) -> Vec<(Fault, u32)> {
        self.lock()
            .iter()
            .map(|a| (a.fault.clone(), a.caught))
            .collect()
    }

    /// The armed faults that have caught no call yet, in the order armed.
    pub(crate) fn unfired(&self) -> Vec<Fault> {
        self.lock()
            .iter()
            .filter(|a| a.caught == 0)
            .map(|a| a.fault.clone())
            .collect()
    }

    /// The fault that catches this call, if any: every armed fault on the operation counts the
    /// call; the first armed one whose turn it is catches it.
    pub(crate) fn take(&self, operation_id: &str, path: &str) -> Option<Fault> {
        let mut armed = self.lock();
        let mut caught = None;
        for a in armed.iter_mut() {
            if a.fault.operation_id != operation_id
                || a.fault.path.as_deref().is_some_and(|p| !path.ends_with(p))
            {
                continue;
            }
            a.seen += 1;
            let turn = a.fault.nth_call.is_none_or(|n| a.seen >= n);
            let left = a.fault.limit().is_none_or(|limit| a.caught < limit);
            if caught.is_none() && turn && left {
                a.caught += 1;
                caught = Some(a.fault.clone());
            }
        }
        armed.retain(|a| a.fault.limit().is_none_or(|limit| a.caught < limit));
        caught
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_ids_are_snake_cased() {
        assert_eq!(Fault::on("getIdentity").operation_id, "get_identity");
        assert_eq!(Fault::on("list_users").operation_id, "list_users");
    }

    #[test]
    fn times_and_nth_call_count_matching_calls() {
        let faults = Faults::default();
        faults.arm(Fault::on("a").status(503).times(2));
        faults.arm(Fault::on("b").status(429).nth_call(2));
        assert!(faults.take("a", "/x").is_some());
        assert!(faults.take("b", "/x").is_none());
        assert!(faults.take("a", "/x").is_some());
        assert!(faults.take("a", "/x").is_none());
        assert_eq!(faults.take("b", "/x").map(|f| f.status), Some(Some(429)));
        assert!(faults.take("b", "/x").is_none());
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("get_identiy", "get_identity"), 1);
        assert_eq!(edit_distance("list_users", "list_users"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn an_unknown_operation_is_refused_with_the_closest_known_ones() {
        assert!(check_operation(&Fault::on("getIdentity")).is_ok());
        assert!(check_operation(&Fault::on("create_token")).is_ok());
        assert!(check_operation(&Fault::on("list_users")).is_ok());
        match check_operation(&Fault::on("get_identiy")) {
            Err(SandboxError::UnknownOperation { suggestions, .. }) => {
                assert_eq!(
                    suggestions.first().map(String::as_str),
                    Some("get_identity")
                );
                assert!(suggestions.len() <= MAX_SUGGESTIONS);
            }
            other => panic!("{other:?}"),
        }
        match check_operation(&Fault::on("zzzzzzzzzzzz")) {
            Err(SandboxError::UnknownOperation { suggestions, .. }) => {
                assert!(suggestions.is_empty())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn listed_faults_count_caught_calls() {
        let faults = Faults::default();
        faults.arm(Fault::on("a").status(503));
        faults.arm(Fault::on("b").status(503).nth_call(3));
        faults.take("a", "/x");
        faults.take("a", "/x");
        faults.take("b", "/x");
        let listed: Vec<(String, u32)> = faults
            .list()
            .into_iter()
            .map(|(f, n)| (f.operation_id, n))
            .collect();
        assert_eq!(listed, [("a".to_string(), 2), ("b".to_string(), 0)]);
        let unfired = faults.unfired();
        assert_eq!(unfired.len(), 1);
        assert_eq!(unfired[0].operation_id(), "b");
    }

    #[test]
    fn path_narrows_and_clear_disarms() {
        let faults = Faults::default();
        faults.arm(Fault::on("get_user").path("/users/7").status(404));
        assert!(faults.take("get_user", "/perscom/v2/users/8").is_none());
        assert!(faults.take("get_user", "/perscom/v2/users/7").is_some());
        assert!(faults.take("get_user", "/perscom/v2/users/7").is_some());
        faults.clear();
        assert!(faults.take("get_user", "/perscom/v2/users/7").is_none());
    }
}
