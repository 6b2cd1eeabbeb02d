//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod perscom;
pub mod loopback;
pub mod raw;
