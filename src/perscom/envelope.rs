//! The `{"data": ...}` object PERSCOM wraps each resource, and each batch, in.

use serde::{Deserialize, Serialize};

/// The `{"data": ...}` object PERSCOM answers a single resource or a batch with. Every
/// generated `...Response` and `...BatchResponse` type is this type
/// (`types::UserResponse` is `Data<types::User>`); `send()` returns what is inside, so you meet
/// it only when you decode or build such a body yourself (in a mock server, say). Fields the
/// server adds beside `data` are ignored.
///
/// ```
/// use permkit::perscom::{Data, types};
///
/// let ids: Data<Vec<u64>> = serde_json::from_str(r#"{"data": [7, 8], "extra": true}"#).unwrap();
/// assert_eq!(ids.data, [7, 8]);
///
/// // The generated envelope names are this type.
/// fn first(batch: types::UserBatchResponse) -> Option<types::User> {
///     batch.data.into_iter().next()
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Data<T> {
    /// The resource, or the batch.
    pub data: T,
}
