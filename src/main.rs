//! `stap-rs`: SystemTap's script language on Linux perf events, in userspace.
//!
//! The binary is thin: it parses the command line, reads the files, runs the compiler's
//! passes in order, renders their diagnostics and chooses the exit code.

mod cli;
mod environment;
mod pass_stats;
mod tapsets;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use cli::{Args, Config};
use stap_compiler::diagnostic::render_all;
use stap_compiler::lexer::Lexer;
use stap_compiler::{SourceFile, SourceMap, pass1, print};

/// The compiler recurses over nested constructs; it runs on a thread with a stack this
/// large so that deep nesting (10,000 parentheses and more) cannot overflow it.
const COMPILER_STACK_BYTES: usize = 1 << 30;

fn main() -> ExitCode {
    let args = Args::parse();
    if args.version {
        println!(
            "stap-rs {} (SystemTap language {})",
            stap_runtime::VERSION,
            stap_compiler::COMPATIBLE_VERSION
        );
        return ExitCode::SUCCESS;
    }
    let config = match args.validate() {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let worker = std::thread::Builder::new()
        .name("stap-rs".into())
        .stack_size(COMPILER_STACK_BYTES)
        .spawn(move || run(&config));
    match worker.map(|w| w.join()) {
        Ok(Ok(Ok(code))) => code,
        Ok(Ok(Err(e))) => fail(&e),
        Ok(Err(_)) => ExitCode::FAILURE,
        Err(e) => fail(&anyhow::Error::new(e).context("cannot start the compiler thread")),
    }
}

/// Reports `e` as stap-rs's error and returns the failure exit code; a broken pipe
/// (`stap-rs ... | head -1`) ends quietly with success.
fn fail(e: &anyhow::Error) -> ExitCode {
    let broken_pipe = e
        .chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe);
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("stap-rs: ERROR: {e:#}");
    ExitCode::FAILURE
}

fn run(config: &Config) -> Result<ExitCode> {
    if let Some(mode) = config.unavailable_mode {
        anyhow::bail!("{mode} is not implemented yet in this version of stap-rs");
    }
    let Some(source) = &config.script else {
        anyhow::bail!("no script given");
    };
    let stats = pass_stats::PassStats::start();
    let (name, text) = cli::read_script(source)?;
    let env = environment::detect(
        config.script_args.clone(),
        config.guru,
        config.kernel.as_deref(),
    );
    let mut map = SourceMap::new();
    let (macros, library_count, mut diagnostics) =
        tapsets::load_macros(&mut map, &tapsets::search_path(&config.include), &env);
    let file = map.add(SourceFile::new(name.clone(), text));
    let parsed = pass1(&mut map, file, &env, &macros);
    if parsed.diagnostics.is_empty() && parsed.script.items.is_empty() {
        // SystemTap's words: a script with nothing to run is an error, not a no-op.
        let has_tokens = Lexer::new(&map.file(file).text).next_token().is_some();
        if has_tokens {
            eprintln!("Input file '{name}' is empty after preprocessing.");
        } else {
            eprintln!("Input file '{name}' is empty.");
        }
        eprintln!("Pass 1: parse failed.");
        return Ok(ExitCode::FAILURE);
    }
    diagnostics.extend(parsed.diagnostics);
    let failed = diagnostics.iter().any(|d| d.severity.is_error());
    if !diagnostics.is_empty() {
        eprint!("{}", render_all(&diagnostics, &map));
    }
    if failed {
        eprintln!("Pass 1: parse failed.");
        return Ok(ExitCode::FAILURE);
    }
    if config.verbose > 0 {
        eprintln!(
            "Pass 1: parsed user script and {library_count} library scripts {}.",
            stats.finish()
        );
    }
    if config.last_pass == 1 {
        let mut out = output(config)?;
        write!(
            out,
            "# parse tree dump\n{}\n",
            print::script_to_string(&parsed.script)
        )
        .and_then(|()| out.flush())
        .context("cannot write the parse tree")?;
        return Ok(ExitCode::SUCCESS);
    }
    anyhow::bail!(
        "pass 2 (elaboration) and the passes after it are not implemented yet in this \
         version of stap-rs; use -p1 to see the parse tree"
    )
}

/// Standard output, or the `-o` file.
fn output(config: &Config) -> Result<Box<dyn Write>> {
    Ok(match &config.output {
        Some(path) => Box::new(io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create output file '{}'", path.display()))?,
        )),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    })
}
