//! The tour's perscom section.

use crate::{Step, Tour};

/// Runs the section.
pub async fn run(_tour: &Tour) -> Step {
    Err("the perscom section is not written yet".into())
}
