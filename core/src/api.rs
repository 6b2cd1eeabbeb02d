//! Which of the three APIs.

use std::fmt;

/// Which of the three APIs: the one an error came from, or a request went to.
///
/// ```
/// assert_eq!(permkit::Api::Intacct.to_string(), "intacct");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// PERSCOM.
    Perscom,
    /// Permission Assist (Sycorr).
    PermissionAssist,
    /// Sage Intacct REST.
    Intacct,
}

impl Api {
    /// The tag the transport puts in raw error bodies and logs (and the sandbox in its admin
    /// API's JSON).
    ///
    /// ```
    /// assert_eq!(permkit::Api::PermissionAssist.as_str(), "permission-assist");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Perscom => "perscom",
            Api::PermissionAssist => "permission-assist",
            Api::Intacct => "intacct",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
