//! Every integration test of this crate, in one binary: one link instead of one per file.

mod field_maps_keep_the_email;
mod marketo_against_standin;
mod storage_never_privacy;
#[allow(dead_code)]
mod support;
mod vendors_against_standins;
