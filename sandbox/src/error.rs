//! [`SandboxError`]: why the sandbox refused something a test asked of it.

use std::fmt;

/// Why the sandbox refused what a test asked of it: a fault on an operation no API has, a
/// workflow step for an id it does not hold, a status the API's spec does not list, or a
/// webhook it could never deliver.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use permkit_sandbox::{Fault, Sandbox, SandboxError};
///
/// let sandbox = Sandbox::start().await;
/// let err = sandbox.try_fault(Fault::on("get_identiy").status(500)).unwrap_err();
/// assert!(matches!(&err, SandboxError::UnknownOperation { suggestions, .. }
///     if suggestions.iter().any(|s| s == "get_identity")));
/// assert!(err.to_string().starts_with(r#"no operation "get_identiy" in any API; did you mean get_identity"#));
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SandboxError {
    /// No API's route table has this `operationId`.
    #[non_exhaustive]
    UnknownOperation {
        /// The operation asked for, snake-cased as [`Fault::on`](crate::Fault::on) keeps it.
        operation_id: String,
        /// The known operations closest to it (edit distance up to 3), closest first; at
        /// most three.
        suggestions: Vec<String>,
    },
    /// The sandbox holds nothing of this kind with this id.
    #[non_exhaustive]
    NotFound {
        /// What was looked for (`import`, `personnel event`, `access request`).
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A value the API's spec does not list for this schema (a status no workflow has).
    #[non_exhaustive]
    UnknownValue {
        /// The spec's schema the value must be one of (`ImportStatus`, `WorkflowStatus`).
        schema: &'static str,
        /// The value given.
        value: String,
        /// The values the spec lists, in its order.
        allowed: Vec<&'static str>,
    },
    /// A webhook that could never be delivered: its URL is not an absolute `http` or `https`
    /// one, or it asks for an event the API does not send.
    #[non_exhaustive]
    InvalidWebhook {
        /// What is wrong with it (`unknown event "user.craeted"; ...`).
        reason: String,
    },
}

impl SandboxError {
    /// An [`UnknownOperation`](SandboxError::UnknownOperation) error.
    pub(crate) fn unknown_operation(operation_id: &str, suggestions: Vec<String>) -> Self {
        SandboxError::UnknownOperation {
            operation_id: operation_id.to_string(),
            suggestions,
        }
    }

    /// A [`NotFound`](SandboxError::NotFound) error.
    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        SandboxError::NotFound {
            what,
            id: id.into(),
        }
    }

    /// An [`InvalidWebhook`](SandboxError::InvalidWebhook) error.
    pub(crate) fn invalid_webhook(reason: String) -> Self {
        SandboxError::InvalidWebhook { reason }
    }

    /// An [`UnknownValue`](SandboxError::UnknownValue) error.
    pub(crate) fn unknown_value(
        schema: &'static str,
        value: impl Into<String>,
        allowed: Vec<&'static str>,
    ) -> Self {
        SandboxError::UnknownValue {
            schema,
            value: value.into(),
            allowed,
        }
    }

    /// The HTTP status an API answering for the sandbox would give this error: 404 for
    /// [`NotFound`](SandboxError::NotFound), 400 otherwise.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit::permission_assist::types::ImportStatus;
    /// let sandbox = permkit_sandbox::Sandbox::start().await;
    /// let err = sandbox.set_import_status(uuid::Uuid::nil(), ImportStatus::Running).unwrap_err();
    /// assert_eq!(err.http_status(), 404);
    /// # });
    /// ```
    pub fn http_status(&self) -> u16 {
        match self {
            SandboxError::NotFound { .. } => 404,
            _ => 400,
        }
    }
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::UnknownOperation {
                operation_id,
                suggestions,
            } => {
                write!(f, "no operation {operation_id:?} in any API")?;
                if !suggestions.is_empty() {
                    write!(f, "; did you mean {}?", suggestions.join(", "))?;
                }
                Ok(())
            }
            SandboxError::NotFound { what, id } => write!(f, "the sandbox has no {what} {id}"),
            SandboxError::UnknownValue {
                schema,
                value,
                allowed,
            } => write!(
                f,
                "{value:?} is not in the spec's {schema} ({})",
                allowed.join(", ")
            ),
            SandboxError::InvalidWebhook { reason } => {
                write!(f, "the webhook cannot be registered: {reason}")
            }
        }
    }
}

impl std::error::Error for SandboxError {}
