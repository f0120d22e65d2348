//! Touchstone: a counterfeit-identification product database for customs officers and
//! right holders. `main.rs` only parses the command line and calls [`cli::run`].

pub mod alerts;
pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod feedback;
pub mod images;
pub mod import;
pub mod models;
pub mod notices;
pub mod products;
pub mod search;
pub mod services;
pub mod uploads;
pub mod validate;
pub mod web;
