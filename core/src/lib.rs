//! The types permkit's clients and its sandbox share: [`Api`], [`Secret`] and [`Timestamp`].
//!
//! Use them through `permkit`, which re-exports each of them
//! (`permkit::Api`, `permkit::Secret`, `permkit::Timestamp`): this crate exists so that
//! `permkit-sandbox` can name them without depending on the clients, and so compiles beside
//! them instead of after them.
//!
//! ```
//! use permkit::{Api, Secret, Timestamp};
//!
//! let key = Secret::new("perscom_key");
//! let when: Timestamp = "2026-02-20T08:15:00Z".parse().unwrap();
//! assert_eq!(format!("{} {key} {when}", Api::Perscom), "perscom [redacted] 2026-02-20T08:15:00Z");
//! ```
#![warn(missing_docs)]

mod api;
pub mod secret;
pub mod timestamp;

pub use api::Api;
pub use secret::Secret;
pub use timestamp::{Timestamp, TimestampError};
