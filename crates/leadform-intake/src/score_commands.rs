//! `rescore` and `scores`: replaying the recorded events under changed rules, and printing every
//! person's score and velocity as of the moment the command runs.

use crate::cli::ExportFormat;
use crate::clock::now_ms;
use crate::existing_db::{require_existing, MissingDatabase};
use crate::forms::{FormRegistry, FormsError};
use crate::scores_cli::{self, ScoresOutputError};
use crate::scoring_file::{load_scoring_rules, LoadedScoringRules, ScoringFileError};
use leadform_scoring::ScoringRules;
use leadform_store::{MqlRoutes, Store, StoreError};
use std::io::Write;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ScoreCommandError {
    #[error(transparent)]
    MissingDatabase(#[from] MissingDatabase),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Forms(#[from] FormsError),
    #[error(transparent)]
    Scoring(#[from] ScoringFileError),
    #[error(transparent)]
    Output(#[from] ScoresOutputError),
}

/// The forms folder's rules, checked against its forms.
fn rules_from(forms_dir: &Path) -> Result<LoadedScoringRules, ScoreCommandError> {
    Ok(rules_and_forms_from(forms_dir)?.0)
}

fn rules_and_forms_from(
    forms_dir: &Path,
) -> Result<(LoadedScoringRules, FormRegistry), ScoreCommandError> {
    let forms = FormRegistry::load_dir(forms_dir)?;
    Ok((load_scoring_rules(forms_dir, &forms)?, forms))
}

/// What the rules came from, for messages.
pub fn describe(loaded: &LoadedScoringRules) -> String {
    match &loaded.path {
        Some(path) => path.display().to_string(),
        None => "the default scoring rules (no scoring.json)".into(),
    }
}

/// Replays every person's recorded events under the forms folder's rules; returns the summary.
pub async fn rescore(db: &str, forms_dir: &Path) -> Result<String, ScoreCommandError> {
    require_existing(db)?;
    let (loaded, forms) = rules_and_forms_from(forms_dir)?;
    // A person the new rules take over the threshold gets the `lead.mql` hand-off too.
    let routes = MqlRoutes::from_forms(forms.iter().map(|f| &**f));
    let store = Store::open(db).await?.with_mql_routes(routes);
    let report = store.rescore(&loaded.rules, now_ms()).await?;
    store.close().await;
    Ok(format!(
        "rescored {} person(s) under {}: {} log row(s) in run {}, {} new MQL(s)",
        report.persons,
        describe(&loaded),
        report.rows,
        report.run_id,
        report.new_mqls
    ))
}

/// Prints every person's figures as of now, highest velocity first. The rules are the forms
/// folder's when given, else those saved by the last `serve` or `rescore`, else the defaults.
pub async fn scores(
    db: &str,
    format: ExportFormat,
    forms_dir: Option<&Path>,
    out: impl Write,
) -> Result<(), ScoreCommandError> {
    require_existing(db)?;
    let store = Store::open(db).await?;
    let rules = match forms_dir {
        Some(dir) => rules_from(dir)?.rules,
        None => store
            .saved_scoring_rules()
            .await?
            .unwrap_or_else(ScoringRules::default),
    };
    let logs = store.score_logs().await?;
    store.close().await;
    let lines = scores_cli::score_lines(&rules, logs, now_ms());
    match format {
        ExportFormat::Json => scores_cli::write_json(&lines, out)?,
        ExportFormat::Csv => scores_cli::write_csv(&lines, out)?,
    }
    Ok(())
}
