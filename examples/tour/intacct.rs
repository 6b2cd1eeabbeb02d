//! The tour's intacct section.

use crate::{Step, Tour};

/// Runs the section.
pub async fn run(_tour: &Tour) -> Step {
    Err("the intacct section is not written yet".into())
}
