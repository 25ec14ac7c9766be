//! The Leadform widget (being built).
