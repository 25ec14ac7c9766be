//! Every integration test of this crate, in one binary: one link instead of one per file.

mod definitions;
mod destination_ids;
mod support;
// The messages in every language: only with the tables compiled in (the default).
#[cfg(feature = "all-catalogues")]
mod localized_messages;
mod marketo_destination;
mod submissions;
mod translations;
