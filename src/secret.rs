//! Credentials that never print: [`Secret`] (defined in `permkit-core`, which the sandbox shares).

pub use permkit_core::Secret;
