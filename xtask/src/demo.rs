//! `cargo xtask demo`: the demo site and the handler on one loopback port.

use anyhow::Result;

use crate::demo_data;
use crate::dist::{self, Profile};
use crate::intake;
use crate::paths;
use crate::run::{self, cmd};

pub fn demo(port: u16) -> Result<()> {
    dist::dist(Profile::Release)?;
    run::header("demo: building the handler");
    let bin = intake::build(true)?;
    // A few weeks of leads for the console's charts, only while ./leadform.db has none.
    demo_data::seed(&demo_data::build()?, "./leadform.db")?;

    let base = format!("http://127.0.0.1:{port}");
    let bin_shown = paths::display(&bin);
    println!(
        "\nLeadform demo: {base}/\n\
         \n\
         Embed the Contact Us form on a page of an origin listed in forms/contact-us.json\n\
         (allowed_origins) with:\n\
         \n\
         <div data-leadform=\"contact-us\"></div>\n\
         <script src=\"{base}/leadform.js\" defer></script>\n\
         \n\
         See the stored leads with:\n\
         \n\
         {bin_shown} export --db ./leadform.db --format csv\n\
         \n\
         Ctrl-C stops the server.\n"
    );
    // Foreground: Ctrl-C reaches the handler too, since it shares our process group.
    run::run(
        cmd(&bin)
            .args(["serve", "--forms", "forms", "--db", "./leadform.db"])
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(["--public", "dist"])
            .args(["--assets", "assets"]),
    )
}
