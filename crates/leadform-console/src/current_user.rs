//! The logged-in user a page is rendered for. Its own module so the layout (which `error` uses to
//! render error pages) need not import `auth`, whose extractors reject with that error; the
//! extractor itself is in [`crate::auth`].

use leadform_store::{ConsoleUser, UserRole};

/// The logged-in user of a live session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: ConsoleUser,
    /// Put in every form the page renders.
    pub csrf_token: String,
    /// The cookie value, so logout can end exactly this session.
    pub session_token: String,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.user.role == UserRole::Admin
    }
}
