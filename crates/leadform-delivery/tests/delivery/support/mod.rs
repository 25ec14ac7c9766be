pub use leadform_standins as standins;

use leadform_core::FormDefinition;
use leadform_delivery::{
    attempt_delivery, DeliveryOutcome, HttpSender, PendingDelivery, SystemClock,
};
use standins::{Received, StandIn};
use std::time::Duration;

/// Sends `delivery` to the form's first destination, a stand-in, once: it must be delivered, and
/// the stand-in must have found nothing wrong with the request, which is returned.
pub async fn delivered_to(
    standin: &StandIn,
    form: &FormDefinition,
    delivery: &PendingDelivery,
) -> Received {
    let sender = HttpSender::new(Duration::from_secs(10)).expect("client");
    let outcome = attempt_delivery(
        &sender,
        &form.destinations[0],
        delivery,
        form,
        None,
        &SystemClock,
    )
    .await;
    assert!(
        matches!(outcome, DeliveryOutcome::Delivered(_)),
        "{outcome:?}"
    );
    let request = standin.received().last().expect("a request").clone();
    assert!(request.problems.is_empty(), "{:?}", request.problems);
    request
}
