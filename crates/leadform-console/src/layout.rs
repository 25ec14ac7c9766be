//! The shell around every console page: head, header with navigation, main content.

use crate::current_user::CurrentUser;
use axum::response::Html;
use maud::{html, Markup, DOCTYPE};

/// Which navigation entry is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Leads,
    Scores,
    Forms,
    Audit,
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="robots" content="noindex";
            title { (title) " · Leadform console" }
            link rel="stylesheet" href="/console/console.css";
            link rel="stylesheet" href="/console/charts.css";
        }
    }
}

/// A page for a logged-in user.
pub fn page(title: &str, section: Section, current: &CurrentUser, content: Markup) -> Html<String> {
    let nav_link = |href: &str, label: &str, this: Section| {
        html! {
            @if this == section {
                a href=(href) aria-current="page" { (label) }
            } @else {
                a href=(href) { (label) }
            }
        }
    };
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body {
                    header.topbar {
                        a.brand href="/console/" { "Leadform" }
                        nav aria-label="Console" {
                            (nav_link("/console/", "Overview", Section::Overview))
                            (nav_link("/console/leads", "Leads", Section::Leads))
                            (nav_link("/console/scores", "Scores", Section::Scores))
                        (nav_link("/console/forms", "Forms", Section::Forms))
                            @if current.is_admin() {
                                (nav_link("/console/audit", "Audit", Section::Audit))
                            }
                        }
                        form.logout method="post" action="/console/logout" {
                            input type="hidden" name="csrf_token" value=(current.csrf_token);
                            span.who { (current.user.name) }
                            button.link type="submit" { "Log out" }
                        }
                    }
                    main { (content) }
                }
            }
        }
        .into_string(),
    )
}

/// A page without navigation: login and error pages.
pub fn bare_page(title: &str, content: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body.bare {
                    main.narrow {
                        p.brand-line { "Leadform" }
                        (content)
                    }
                }
            }
        }
        .into_string(),
    )
}

/// `2026-11-23T07:05:06.123Z` → `2026-11-23 07:05 UTC`.
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(0..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}
