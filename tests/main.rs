//! Integration tests: the real server over HTTP, on a fresh database per test (a
//! temporary SQLite file, or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set).

// A failed expectation in a test is meant to panic with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod access;
mod accounts;
mod alerts;
mod api;
mod barcodes;
mod cli;
mod crash;
mod feedback;
mod imports;
mod lookup;
mod members;
mod migrations;
mod notices;
mod photo_search;
mod product_pages;
mod products;
mod security;
mod viewport;
