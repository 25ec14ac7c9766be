//! Every integration test of this crate, in one binary: one link instead of one per file.

mod console;
mod delivery_events;
mod destination_ids;
mod durability;
mod erasure;
mod group_commit;
mod leads;
mod outbox;
mod profiles;
mod reports;
mod salesforce_wait;
mod scores;
mod secrets_and_tokens;
mod shared_delivery_state;
mod support;
