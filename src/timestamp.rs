//! Date-times read leniently: [`Timestamp`] (defined in `permkit-core`, which the sandbox shares).

pub use permkit_core::{Timestamp, TimestampError};
