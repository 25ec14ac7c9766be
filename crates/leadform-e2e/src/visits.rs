//! How a visitor reaches a page in these tests: by clicking a link on another site (an ad, a
//! newsletter), so the visit carries a referrer as a real one does.

use anyhow::Result;
use fantoccini::Locator;

use crate::host_site::HostSite;
use crate::page_probe::wait_for_url;
use crate::Browser;

/// The id of the one link on a [`link_page`].
const LINK_ID: &str = "campaign-link";

/// A page whose only content is a link to `target`. `full_referrer` adds
/// `<meta name="referrer" content="unsafe-url">`, so the browser sends the whole URL of the
/// linking page as referrer instead of only its origin.
pub fn link_page(target: &str, full_referrer: bool) -> String {
    let meta = if full_referrer {
        r#"<meta name="referrer" content="unsafe-url">"#
    } else {
        ""
    };
    let href = target.replace('&', "&amp;").replace('"', "&quot;");
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8">{meta}<title>A link to the offer</title></head>
<body><p><a id="{LINK_ID}" href="{href}">Read more</a></p></body>
</html>
"#
    )
}

/// Opens `path_and_query` on `site` (a [`link_page`]), clicks its link and waits until the tab
/// shows `target`.
pub async fn follow_link(
    browser: &Browser,
    site: &HostSite,
    path_and_query: &str,
    target: &str,
) -> Result<()> {
    browser.goto(&site.url(path_and_query)).await?;
    browser
        .client
        .find(Locator::Id(LINK_ID))
        .await?
        .click()
        .await?;
    wait_for_url(browser, &format!("the tab to open {target}"), |url| {
        url == target
    })
    .await?;
    Ok(())
}
