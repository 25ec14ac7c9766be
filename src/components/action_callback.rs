//! Callbacks built from actions: a view says which `Action` an event means, and this helper sends it
//! to the reducer, as yew's `function_todomvc` builds its callbacks. No view dispatches by hand.

use yew::{Callback, Reducible, UseReducerDispatcher};

/// A callback that turns each event into one action for `dispatcher`'s reducer.
pub fn action_callback<R, IN>(
    dispatcher: &UseReducerDispatcher<R>,
    to_action: impl Fn(IN) -> R::Action + 'static,
) -> Callback<IN>
where
    R: Reducible + 'static,
    IN: 'static,
{
    let dispatcher = dispatcher.clone();
    Callback::from(move |event| dispatcher.dispatch(to_action(event)))
}
