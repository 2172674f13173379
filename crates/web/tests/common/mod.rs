//! Harness code shared by the integration tests. Every test target compiles this module on its
//! own and uses only part of it.
#![allow(dead_code)]

pub mod browser;
pub mod http;
pub mod openapi;
