//! The demo's form definitions, read from the forms directory like the handler reads them.

use std::path::Path;

use leadform_core::FormDefinition;

use crate::DemoError;

/// Every `*.json` definition in `dir`, checked, by id.
pub fn load_forms(dir: &Path) -> Result<Vec<FormDefinition>, DemoError> {
    let failed = |detail: String| DemoError::Forms {
        path: dir.display().to_string(),
        detail,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| failed(e.to_string()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut forms = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| failed(format!("{}: {e}", path.display())))?;
        let form: FormDefinition =
            serde_json::from_str(&text).map_err(|e| failed(format!("{}: {e}", path.display())))?;
        form.check()
            .map_err(|e| failed(format!("{}: {e}", path.display())))?;
        forms.push(form);
    }
    if forms.is_empty() {
        return Err(DemoError::NoForms(dir.display().to_string()));
    }
    forms.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(forms)
}
