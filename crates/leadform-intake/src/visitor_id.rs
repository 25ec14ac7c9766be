//! Making a visitor id. It lives outside `http` because deciding to remember a visitor is the
//! intake's call (`intake::accept_lead`), while the cookie that carries the id is HTTP's.

/// A fresh random visitor id (UUID v4); the cookie carries it signed, never bare.
pub fn new_visitor_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
