//! Every integration test of this crate, in one binary: one link instead of one per file.

mod support;
mod definitions;
mod destination_ids;
mod localized_messages;
mod marketo_destination;
mod submissions;
mod translations;
