//! The tapset search path and the library macros (`.stpm` files) on it.

use std::path::{Path, PathBuf};

use stap_compiler::{Diagnostic, Environment, MacroLibrary, Severity, SourceFile, SourceMap};

/// The tapset directories: `-I` directories first, then `$STAP_RS_TAPSET_DIR`, then the
/// `tapset/` directory shipped with stap-rs.
pub fn search_path(include: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = include.to_vec();
    if let Some(d) = std::env::var_os("STAP_RS_TAPSET_DIR") {
        dirs.push(PathBuf::from(d));
    }
    dirs.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tapset")));
    dirs
}

/// Every `.stpm` file under `dir`, sorted, so macro loading is deterministic.
fn macro_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            macro_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "stpm") {
            out.push(p);
        }
    }
}

/// Loads the library macros of every directory in `dirs`: the library, how many files
/// were read, and the problems found (a broken `.stpm` file is skipped, with a warning).
pub fn load_macros(
    map: &mut SourceMap,
    dirs: &[PathBuf],
    env: &Environment,
) -> (MacroLibrary, usize, Vec<Diagnostic>) {
    let mut library = MacroLibrary::new();
    let mut files = Vec::new();
    for d in dirs {
        macro_files(d, &mut files);
    }
    let mut diagnostics = Vec::new();
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let id = map.add(SourceFile::new(path.display().to_string(), text));
        // A broken library file must not stop the user's script: report it as a warning.
        diagnostics.extend(library.load(map, id, env).into_iter().map(|mut d| {
            d.severity = Severity::Warning;
            d
        }));
    }
    (library, files.len(), diagnostics)
}
