//! `OutboxStore` for `Store`: the forwarder's contract (leadform-delivery), backed by SQLite or
//! PostgreSQL.

use crate::outbox::Outcome;
use crate::Store;
use leadform_delivery::{
    OutageGate, OutboxError, OutboxStore, PendingDelivery, RetryPolicy, SendSlot,
};

fn outbox_error(error: crate::StoreError) -> OutboxError {
    OutboxError(error.to_string())
}

impl OutboxStore for Store {
    async fn claim_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<PendingDelivery>, OutboxError> {
        self.claim_due_deliveries(now_ms, limit, lease_ms)
            .await
            .map_err(outbox_error)
    }

    async fn database_now_ms(&self) -> Result<i64, OutboxError> {
        Store::database_now_ms(self).await.map_err(outbox_error)
    }

    async fn renew_lease(
        &self,
        id: i64,
        claim_token: &str,
        lease_ms: i64,
    ) -> Result<bool, OutboxError> {
        self.renew_claim(id, claim_token, lease_ms)
            .await
            .map_err(outbox_error)
    }

    async fn take_send_slot(
        &self,
        destination_key: &str,
        max: u64,
        window_ms: i64,
        in_flight_ms: i64,
        at_once: Option<u64>,
    ) -> Result<SendSlot, OutboxError> {
        self.take_slot(destination_key, max, window_ms, in_flight_ms, at_once)
            .await
            .map_err(outbox_error)
    }

    async fn finish_send_slot(
        &self,
        slot_id: i64,
        counts: bool,
        window_ms: i64,
    ) -> Result<(), OutboxError> {
        self.finish_slot(slot_id, counts, window_ms)
            .await
            .map_err(outbox_error)
    }

    async fn pass_outage_gate(
        &self,
        destination_key: &str,
        delivery_id: i64,
        probe_lease_ms: i64,
    ) -> Result<OutageGate, OutboxError> {
        Store::pass_outage_gate(self, destination_key, delivery_id, probe_lease_ms)
            .await
            .map_err(outbox_error)
    }

    async fn record_destination_failure(
        &self,
        destination_key: &str,
        delivery_id: i64,
        reason: &str,
        probe: &RetryPolicy,
        retry_after_ms: Option<i64>,
    ) -> Result<(), OutboxError> {
        Store::record_destination_failure(
            self,
            destination_key,
            delivery_id,
            reason,
            probe,
            retry_after_ms,
        )
        .await
        .map_err(outbox_error)
    }

    async fn end_destination_outage(&self, destination_key: &str) -> Result<u64, OutboxError> {
        Store::end_destination_outage(self, destination_key)
            .await
            .map_err(outbox_error)
    }

    async fn mark_delivered(
        &self,
        id: i64,
        claim_token: &str,
        detail: &str,
    ) -> Result<(), OutboxError> {
        self.finish_claim(id, claim_token, Outcome::Delivered { detail })
            .await
            .map_err(outbox_error)
    }

    async fn schedule_retry(
        &self,
        id: i64,
        claim_token: &str,
        next_attempt_at_ms: i64,
        last_error: &str,
        counts_as_attempt: bool,
    ) -> Result<(), OutboxError> {
        let outcome = Outcome::Retry {
            next_attempt_at_ms,
            last_error,
            counts_as_attempt,
        };
        self.finish_claim(id, claim_token, outcome)
            .await
            .map_err(outbox_error)
    }

    async fn wait_for_probe(
        &self,
        id: i64,
        claim_token: &str,
        next_attempt_at_ms: i64,
        last_error: &str,
    ) -> Result<(), OutboxError> {
        let outcome = Outcome::WaitForProbe {
            next_attempt_at_ms,
            last_error,
        };
        self.finish_claim(id, claim_token, outcome)
            .await
            .map_err(outbox_error)
    }

    async fn mark_dead(&self, id: i64, claim_token: &str, reason: &str) -> Result<(), OutboxError> {
        self.finish_claim(id, claim_token, Outcome::Dead { reason })
            .await
            .map_err(outbox_error)
    }

    async fn delivered_count_since(
        &self,
        destination_key: &str,
        since_ms: i64,
    ) -> Result<u64, OutboxError> {
        self.count_delivered_since(destination_key, since_ms)
            .await
            .map_err(outbox_error)
    }
}
