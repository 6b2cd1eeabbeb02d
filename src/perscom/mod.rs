//! PERSCOM: personnel records for military-simulation units.

pub(crate) mod errors;

crate::generated::generated_api!("perscom");

macro_rules! impl_list {
    ($builder:ident, $envelope:ident, $item:ident) => {};
}

include!(concat!(env!("OUT_DIR"), "/perscom_lists.rs"));
