//! `leadform-intake serve | export | forget | outbox | check`.

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = leadform_intake::cli::Cli::parse();
    match leadform_intake::commands::run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("leadform-intake: {error}");
            ExitCode::FAILURE
        }
    }
}
