//! The console over real HTTP against a real handler on loopback, on SQLite and (when configured)
//! PostgreSQL: logging in and out, the refusals (CSRF, cross-origin, removed users, members on
//! admin pages, throttling), the leads list and its CSV, and working a lead.

mod access;
mod forms;
mod leads;
mod login;
mod overview;
mod scores;
mod support;
mod work;
