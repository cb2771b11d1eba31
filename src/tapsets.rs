//! The tapset search path and the library macros (`.stpm` files) on it.

use std::path::{Path, PathBuf};

use stap_compiler::{Diagnostic, Environment, MacroLibrary, Severity, SourceFile, SourceMap};

/// SystemTap's own tapset directory: where it is installed, its library macros
/// (`@choose_defined`, `@prometheus_dump_array1`, ...) are available to scripts, as they
/// are under `stap`.
const SYSTEMTAP_TAPSETS: &str = "/usr/share/systemtap/tapset";

/// The tapset directories: `-I` directories first, then `$STAP_RS_TAPSET_DIR`, then the
/// `tapset/` directory shipped with stap-rs, then SystemTap's, if installed.
pub fn search_path(include: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = include.to_vec();
    if let Some(d) = std::env::var_os("STAP_RS_TAPSET_DIR") {
        dirs.push(PathBuf::from(d));
    }
    dirs.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tapset"
    )));
    if !dirs.iter().any(|d| d == Path::new(SYSTEMTAP_TAPSETS)) {
        dirs.push(PathBuf::from(SYSTEMTAP_TAPSETS));
    }
    dirs
}

/// The directories SystemTap reads under a tapset root: the root, its runtime
/// subdirectory (`linux`), and the architecture subdirectory of each.
fn tapset_dirs(root: &Path, arch: &str) -> Vec<PathBuf> {
    vec![
        root.to_path_buf(),
        root.join(arch),
        root.join("linux"),
        root.join("linux").join(arch),
    ]
}

/// The `.stpm` files directly in `dir`, sorted, so macro loading is deterministic.
fn macro_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "stpm"))
        .collect();
    paths.sort();
    out.extend(paths);
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
    for root in dirs {
        for d in tapset_dirs(root, &env.arch) {
            macro_files(&d, &mut files);
        }
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
