//! The command line: stap's options, parsed into [`Args`] and validated into a
//! [`Config`] the rest of the binary trusts.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Parser;

/// `stap-rs [OPTIONS] [SCRIPT | -e TEXT] [ARGS...]`
#[derive(Parser, Debug)]
#[command(
    name = "stap-rs",
    version,
    about = "SystemTap's script language on Linux perf events, in userspace",
    disable_version_flag = true,
    override_usage = "stap-rs [OPTIONS] [SCRIPT | -e TEXT] [ARGS...]"
)]
pub struct Args {
    /// Run the script TEXT given on the command line.
    #[arg(short = 'e', value_name = "TEXT")]
    pub script_text: Option<String>,

    /// Start CMD, held before its first instruction, and probe it; the session ends when it exits.
    #[arg(short = 'c', value_name = "CMD")]
    pub command: Option<String>,

    /// Probe the running process PID and its threads.
    #[arg(short = 'x', value_name = "PID")]
    pub pid: Option<i32>,

    /// List the probe points matching PATTERN.
    #[arg(short = 'l', value_name = "PATTERN")]
    pub list: Option<String>,

    /// List the probe points matching PATTERN, with their context variables.
    #[arg(short = 'L', value_name = "PATTERN")]
    pub list_vars: Option<String>,

    /// Stop after pass N (1 parse, 2 elaborate, 3 translate, 4 compile, 5 run) and print its result.
    #[arg(short = 'p', value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub pass: Option<u8>,

    /// Be verbose: per-pass times (repeat for more).
    #[arg(short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Write the script's output to FILE.
    #[arg(short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Add DIR to the tapset search path.
    #[arg(short = 'I', value_name = "DIR")]
    pub include: Vec<PathBuf>,

    /// Set a limit such as MAXACTION=10000 (MAXACTION, MAXMAPENTRIES, MAXSTRINGLEN, ...).
    #[arg(short = 'D', value_name = "NAME=VALUE")]
    pub define: Vec<String>,

    /// Stop the session after SECONDS.
    #[arg(short = 'T', value_name = "SECONDS")]
    pub timeout: Option<f64>,

    /// Report per-probe hits and handler times, per CPU.
    #[arg(short = 't')]
    pub timing: bool,

    /// Start the interactive REPL.
    #[arg(short = 'i')]
    pub interactive: bool,

    /// Evaluate `kernel_v`/`CONFIG_*` conditions for this kernel: a release (`6.1.0-9-amd64`)
    /// or a kernel build directory (its `.config` and `include/config/kernel.release`).
    #[arg(short = 'r', value_name = "RELEASE|DIR")]
    pub kernel: Option<String>,

    /// Guru mode: embedded C and kernel-only operators get past parsing, as with stap -g (stap-rs never runs them).
    #[arg(short = 'g')]
    pub guru: bool,

    /// List the tapset functions.
    #[arg(long = "dump-functions")]
    pub dump_functions: bool,

    /// List the tapset probe aliases.
    #[arg(long = "dump-probe-aliases")]
    pub dump_probe_aliases: bool,

    /// Print the end-of-run globals and aggregates as FORMAT (text or json).
    #[arg(long = "output-format", value_name = "FORMAT", default_value = "text")]
    pub output_format: String,

    /// Print the version.
    #[arg(short = 'V', long = "version")]
    pub version: bool,

    /// The script file (unless -e is given), then the script's arguments.
    #[arg(value_name = "SCRIPT | ARGS", trailing_var_arg = true)]
    pub rest: Vec<String>,
}

/// Where the script comes from.
#[derive(Debug, Clone)]
pub enum ScriptSource {
    /// `-e TEXT`.
    Text(String),
    /// A file (`-` for standard input).
    File(PathBuf),
}

/// What the user asked for, validated.
#[derive(Debug)]
pub struct Config {
    /// The script, unless a listing or the REPL was asked for.
    pub script: Option<ScriptSource>,
    /// `$1..$N`.
    pub script_args: Vec<String>,
    /// The last pass to run (5 = run).
    pub last_pass: u8,
    /// `-v` count.
    pub verbose: u8,
    /// `-o FILE`.
    pub output: Option<PathBuf>,
    /// `-I DIR`s, in order.
    pub include: Vec<PathBuf>,
    /// `-g`.
    pub guru: bool,
    /// `-r RELEASE|DIR`.
    pub kernel: Option<String>,
    /// `-D NAME=VALUE`s, in order.
    pub defines: Vec<(String, String)>,
    /// `-T SECONDS`.
    pub timeout: Option<f64>,
    /// `-c CMD` or `-x PID`, which need the perf-events work, by option.
    pub target: Option<&'static str>,
    /// A mode asked for (`-l`, `-i`, ...) that this version cannot serve yet, by name.
    /// Options of pass 5 (`-c`, `-x`, `-T`, `-t`) need no such check: asking for pass 5
    /// reports that it is not there yet.
    pub unavailable_mode: Option<&'static str>,
}

impl Args {
    /// Checks the options against each other and builds the [`Config`].
    pub fn validate(self) -> Result<Config> {
        let mut rest = self.rest.into_iter();
        let script = match self.script_text {
            Some(text) => Some(ScriptSource::Text(text)),
            None => rest.next().map(|f| ScriptSource::File(PathBuf::from(f))),
        };
        let mut defines = Vec::new();
        for d in &self.define {
            let (name, value) = d.split_once('=').unwrap_or((d.as_str(), ""));
            defines.push((name.to_string(), value.to_string()));
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                bail!("invalid -D option '{d}': expected NAME=VALUE, such as -D MAXACTION=10000");
            }
            if value.is_empty() {
                bail!("invalid -D option '{d}': {name} needs a value, such as -D {name}=1000");
            }
        }
        if self.output_format != "text" && self.output_format != "json" {
            bail!(
                "invalid --output-format '{}': expected 'text' or 'json'",
                self.output_format
            );
        }
        if let Some(t) = self.timeout
            && !(t > 0.0 && t.is_finite())
        {
            bail!("invalid -T value '{t}': expected a positive number of seconds");
        }
        // Modes that replace running a script; their passes come with later work.
        let unavailable_mode = [
            (self.list.is_some(), "-l PATTERN"),
            (self.list_vars.is_some(), "-L PATTERN"),
            (self.interactive, "-i (the REPL)"),
            (self.dump_functions, "--dump-functions"),
            (self.dump_probe_aliases, "--dump-probe-aliases"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name));
        if script.is_none() && unavailable_mode.is_none() {
            bail!(
                "no script given: name a script file, or give its text with -e 'probe begin {{ ... }}'"
            );
        }
        Ok(Config {
            script,
            script_args: rest.collect(),
            last_pass: self.pass.unwrap_or(5),
            verbose: self.verbose,
            output: self.output,
            include: self.include,
            guru: self.guru,
            kernel: self.kernel,
            defines,
            timeout: self.timeout,
            target: if self.command.is_some() {
                Some("-c CMD")
            } else if self.pid.is_some() {
                Some("-x PID")
            } else {
                None
            },
            unavailable_mode,
        })
    }
}

/// Reads the script text and the name diagnostics use for it.
pub fn read_script(source: &ScriptSource) -> Result<(String, String)> {
    match source {
        ScriptSource::Text(t) => Ok(("<input>".to_string(), t.clone())),
        ScriptSource::File(p) if p.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read the script from standard input")?;
            Ok(("<input>".to_string(), text))
        }
        ScriptSource::File(p) => {
            let bytes = std::fs::read(p)
                .with_context(|| format!("cannot read script file '{}'", p.display()))?;
            Ok((
                p.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        }
    }
}
