//! The requests a client sent, per operation, with its retries counted apart: what a job cost
//! (Sage bills API transactions above a plan's monthly allowance).

use std::collections::BTreeMap;
use std::sync::Mutex;

/// The requests one operation sent.
///
/// ```
/// let counts = permkit::RequestCounts::default();
/// assert_eq!(counts.operation("query"), permkit::OperationCounts::default());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationCounts {
    /// Every HTTP request put on the wire for this operation: first attempts, retries, the
    /// second attempt after a refused credential and followed redirects.
    pub sent: u64,
    /// How many of [`sent`](Self::sent) repeated an attempt that failed (after a 429, a
    /// 502-504, a dropped connection or a refused credential).
    pub retries: u64,
}

/// A snapshot of the requests a client sent, per operation (`list_users`, `query`...; Intacct's
/// token requests count as `create_token`, whether the client made them for its credentials
/// or you called `create_token`). Clients made from one another (`with_entity`) share their
/// counts.
///
/// ```no_run
/// # #[cfg(feature = "intacct")]
/// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
/// use futures::TryStreamExt;
/// let query = permkit::intacct::query::Query::permissions();
/// let rows: Vec<_> = client.query(query).stream().try_collect().await?;
/// let counts = client.request_counts();
/// println!("{} rows cost {} requests ({} retries)", rows.len(), counts.sent(), counts.retries());
/// for (operation, c) in counts.iter() {
///     println!("{operation}: {} sent, {} retries", c.sent, c.retries);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounts {
    by_operation: BTreeMap<String, OperationCounts>,
}

impl RequestCounts {
    /// The counts of one operation (zero if it was never sent).
    ///
    /// ```
    /// assert_eq!(permkit::RequestCounts::default().operation("list_users").sent, 0);
    /// ```
    pub fn operation(&self, operation: &str) -> OperationCounts {
        self.by_operation
            .get(operation)
            .copied()
            .unwrap_or_default()
    }

    /// Every operation sent at least once, by name, with its counts.
    ///
    /// ```
    /// assert_eq!(permkit::RequestCounts::default().iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, OperationCounts)> + '_ {
        self.by_operation.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Every request sent, all operations together, retries included.
    ///
    /// ```
    /// assert_eq!(permkit::RequestCounts::default().sent(), 0);
    /// ```
    pub fn sent(&self) -> u64 {
        self.by_operation.values().map(|c| c.sent).sum()
    }

    /// Every retry, all operations together.
    ///
    /// ```
    /// assert_eq!(permkit::RequestCounts::default().retries(), 0);
    /// ```
    pub fn retries(&self) -> u64 {
        self.by_operation.values().map(|c| c.retries).sum()
    }
}

/// The live counter a client's transport adds to.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    by_operation: Mutex<BTreeMap<String, OperationCounts>>,
}

impl Counter {
    /// Counts one request of `operation` put on the wire; `retry` when it repeats a failed one.
    pub(crate) fn sent(&self, operation: &str, retry: bool) {
        let mut map = self.by_operation.lock().unwrap_or_else(|p| p.into_inner());
        let c = match map.get_mut(operation) {
            Some(c) => c,
            None => map.entry(operation.to_string()).or_default(),
        };
        c.sent += 1;
        c.retries += u64::from(retry);
    }

    /// The counts so far.
    pub(crate) fn snapshot(&self) -> RequestCounts {
        RequestCounts {
            by_operation: self
                .by_operation
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_operation() {
        let c = Counter::default();
        c.sent("a", false);
        c.sent("a", true);
        c.sent("b", false);
        let s = c.snapshot();
        assert_eq!(
            s.operation("a"),
            OperationCounts {
                sent: 2,
                retries: 1
            }
        );
        assert_eq!(s.operation("b").sent, 1);
        assert_eq!((s.sent(), s.retries()), (3, 1));
        assert_eq!(s.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
    }
}
