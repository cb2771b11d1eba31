//! The core language matches SystemTap byte for byte: every script in `tests/run/` runs
//! under `stap-rs` and its output is compared with what SystemTap 4.8 prints for it.
//!
//! The expected outputs were written from SystemTap's documentation, its runtime and
//! translator sources, and the C that `stap -p3` generates for each script, never from
//! stap-rs's own output. Each `tests/run/NAME.stp` (begin, end, error, never and timer
//! probes only) comes with:
//!
//! - `NAME.out`: the exact standard output (required);
//! - `NAME.err`: the exact standard error, compared only when the file exists;
//! - `NAME.status`: the exit status, 0 when the file is absent;
//! - `NAME.args`: extra command-line arguments, one per line. Lines before a line that is
//!   exactly `--` are options and go before the script (`-D`, `MAXACTION=100`, `-T`, `1`);
//!   lines after it are script arguments and go after the script. The `--` is not passed.
//!
//! The script runs from the repository root as `stap-rs [OPTIONS] tests/run/NAME.stp
//! [ARGS]`, so error locations read `tests/run/NAME.stp:LINE:COL`, as SystemTap names a
//! script file the way it was given on the command line.
//!
//! Standard error is SystemTap's, byte for byte, including its pointers to its man pages
//! (`Pass 5: run failed.  [man error::pass5]`); only lines that depend on how SystemTap
//! was packaged or where it runs are left out (Debian's `Tip: ... README.Debian`, the
//! `Kernel function symbol table missing` warning of a machine without kernel symbols).
//! A runtime error in a probe prints, on standard error:
//!
//! ```text
//! ERROR: division by 0 near operator '/' at tests/run/div_by_zero.stp:5:10
//! WARNING: Number of errors: 1, skipped probes: 0
//! Pass 5: run failed.  [man error::pass5]
//! ```
//!
//! and exits with status 1 (stapio exits 1 once it has seen an `ERROR:` line, and stap
//! then reports pass 5 as failed).
//!
//! Set `STAP_RS_RUN_ONLY=substring` to run only the scripts whose name contains it.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Longest a script may run; every script ends by itself well within 2 s.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Scripts run at the same time (timers sleep most of the time).
const WORKERS: usize = 4;

/// The extensions a file in `tests/run/` may have.
const KNOWN_EXTENSIONS: [&str; 5] = ["stp", "out", "err", "status", "args"];

/// One script with what SystemTap prints for it.
struct Case {
    name: String,
    options: Vec<String>,
    script_args: Vec<String>,
    stdout: String,
    stderr: Option<String>,
    status: i32,
}

impl Case {
    fn load(dir: &Path, name: &str) -> Result<Case, String> {
        let read = |ext: &str| std::fs::read(dir.join(format!("{name}.{ext}"))).ok();
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        let stdout = read("out")
            .map(text)
            .ok_or_else(|| format!("{name}: no {name}.out with the expected output"))?;
        let stderr = read("err").map(text);
        let status = match read("status").map(text) {
            None => 0,
            Some(s) => s
                .trim()
                .parse()
                .map_err(|_| format!("{name}: {name}.status is not a number: {s:?}"))?,
        };
        let mut options = Vec::new();
        let mut script_args = Vec::new();
        let mut after_separator = false;
        for line in read("args").map(text).unwrap_or_default().lines() {
            if line == "--" && !after_separator {
                after_separator = true;
            } else if after_separator {
                script_args.push(line.to_owned());
            } else {
                options.push(line.to_owned());
            }
        }
        Ok(Case {
            name: name.to_owned(),
            options,
            script_args,
            stdout,
            stderr,
            status,
        })
    }

    /// Runs the script and describes every way its result differs from SystemTap's.
    fn check(&self) -> Option<String> {
        let script = format!("tests/run/{}.stp", self.name);
        let mut args: Vec<&str> = self.options.iter().map(String::as_str).collect();
        args.push(&script);
        args.extend(self.script_args.iter().map(String::as_str));
        let command = format!("stap-rs {}", args.join(" "));
        let Some(out) = common::run_in_with_timeout(&common::root(), &args, TIME_LIMIT) else {
            return Some(format!(
                "{command}\n  did not finish within {} s (killed)",
                TIME_LIMIT.as_secs()
            ));
        };
        let mut report = String::new();
        match out.status.code() {
            Some(code) if code == self.status => {}
            Some(code) => {
                let _ = writeln!(report, "  exit status {code}, expected {}", self.status);
            }
            None => {
                let _ = writeln!(report, "  killed by a signal ({:?})", out.status);
            }
        }
        let got_stdout = common::stdout(&out);
        if got_stdout != self.stdout {
            let _ = writeln!(report, "  stdout differs (- SystemTap, + stap-rs):");
            report.push_str(&diff(&self.stdout, &got_stdout));
        }
        let got_stderr = common::stderr(&out);
        if let Some(expected) = &self.stderr {
            if &got_stderr != expected {
                let _ = writeln!(report, "  stderr differs (- SystemTap, + stap-rs):");
                report.push_str(&diff(expected, &got_stderr));
            }
        } else if !report.is_empty() && !got_stderr.is_empty() {
            let _ = writeln!(report, "  stderr (not compared):");
            for line in got_stderr.lines().take(20) {
                let _ = writeln!(report, "    {}", visible(line));
            }
        }
        (!report.is_empty()).then(|| format!("{command}\n{report}"))
    }
}

/// A line with control characters shown as escapes, so a tab or a bell is visible.
fn visible(line: &str) -> String {
    let mut s = String::new();
    for c in line.chars() {
        match c {
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(s, "\\x{:02x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s
}

/// A line diff of `expected` against `got`: common lines with two spaces, lines only in
/// `expected` with `-`, lines only in `got` with `+`. A missing final newline is shown.
fn diff(expected: &str, got: &str) -> String {
    let split = |text: &str| -> Vec<String> {
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
        if let Some(last) = lines.last_mut() {
            if !last.ends_with('\n') {
                last.push_str("\u{23ce}(no newline at end)");
            }
        }
        lines
    };
    let (a, b) = (split(expected), split(got));
    // Longest common subsequence table; the outputs here are small.
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let mut line = |mark: char, text: &str| {
        let _ = writeln!(out, "    {mark} {}", visible(text.trim_end_matches('\n')));
    };
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            line(' ', &a[i]);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            line('+', &b[j]);
            j += 1;
        } else {
            line('-', &a[i]);
            i += 1;
        }
    }
    out
}

/// The script names in `tests/run/`, after checking that every file there belongs to one.
fn scripts(dir: &Path) -> (Vec<String>, Vec<String>) {
    let mut names = BTreeSet::new();
    let mut others = Vec::new();
    for entry in std::fs::read_dir(dir).expect("tests/run exists") {
        let file = entry.expect("directory entry").file_name();
        let file = file.to_string_lossy().into_owned();
        match file.rsplit_once('.') {
            Some((stem, "stp")) => {
                names.insert(stem.to_owned());
            }
            Some((stem, ext)) if KNOWN_EXTENSIONS.contains(&ext) => {
                others.push((stem.to_owned(), file));
            }
            _ => others.push((String::new(), file)),
        }
    }
    let problems = others
        .into_iter()
        .filter(|(stem, _)| !names.contains(stem))
        .map(|(_, file)| format!("tests/run/{file} belongs to no script (no matching .stp)"))
        .collect();
    (names.into_iter().collect(), problems)
}

#[test]
fn every_script_matches_systemtap() {
    let dir = common::fixtures().join("run");
    let (names, mut failures) = scripts(&dir);
    assert!(names.len() >= 35, "the corpus has its scripts");
    let only = std::env::var("STAP_RS_RUN_ONLY").unwrap_or_default();
    let mut cases = Vec::new();
    for name in names.iter().filter(|n| n.contains(only.as_str())) {
        let source = std::fs::read_to_string(dir.join(format!("{name}.stp"))).unwrap_or_default();
        if !source.starts_with("# ") {
            failures.push(format!(
                "tests/run/{name}.stp: the first line must be a '# ' comment saying what it checks"
            ));
        }
        match Case::load(&dir, name) {
            Ok(case) => cases.push(case),
            Err(problem) => failures.push(problem),
        }
    }
    let ran = cases.len();
    // Workers take the next case in turn; reports are kept in the scripts' order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut reports: Vec<(usize, String)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(case) = cases.get(i) else { break };
                        if let Some(report) = case.check() {
                            found.push((i, report));
                        }
                    }
                    found
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    reports.sort();
    failures.extend(reports.into_iter().map(|(_, report)| report));
    assert!(
        failures.is_empty(),
        "{} problems over {ran} scripts compared with SystemTap:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}
