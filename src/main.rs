//! `stap-rs`: SystemTap's script language on Linux perf events, in userspace.
//!
//! The binary is thin: it parses the command line, reads the files, runs the compiler's
//! passes in order, renders their diagnostics and chooses the exit code.

mod cli;
mod environment;
mod limits;
mod pass_stats;
mod tapsets;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use cli::{Args, Config};
use stap_compiler::diagnostic::render_all;
use stap_compiler::lexer::Lexer;
use stap_compiler::{SourceFile, SourceMap, ast, codegen, elaborate, pass1, print};

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
        eprintln!("Pass 1: parse failed.  [man error::pass1]");
        return Ok(ExitCode::FAILURE);
    }
    diagnostics.extend(parsed.diagnostics);
    let failed = diagnostics.iter().any(|d| d.severity.is_error());
    if !diagnostics.is_empty() {
        eprint!("{}", render_all(&diagnostics, &map));
    }
    if failed {
        eprintln!("Pass 1: parse failed.  [man error::pass1]");
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
    run_passes(config, &map, &parsed.script)
}

/// Passes 2 to 5 on a parsed script.
fn run_passes(config: &Config, map: &SourceMap, script: &ast::Script) -> Result<ExitCode> {
    let (limits, codegen_options) = limits::from_defines(&config.defines)?;
    let stats = pass_stats::PassStats::start();
    let elaborated = elaborate::elaborate(
        script,
        map,
        &elaborate::ElaborateConfig {
            args: config.script_args.clone(),
            ..Default::default()
        },
    );
    if !elaborated.diagnostics.is_empty() {
        eprint!("{}", render_all(&elaborated.diagnostics, map));
    }
    let Some(program) = elaborated.program else {
        eprintln!("Pass 2: analysis failed.  [man error::pass2]");
        return Ok(ExitCode::FAILURE);
    };
    if config.verbose > 0 {
        eprintln!(
            "Pass 2: analyzed script: {} probes, {} functions, 0 embeds, {} globals {}.",
            program.probes.len(),
            program.functions.len(),
            program.globals.len(),
            stats.finish()
        );
    }
    if config.last_pass == 2 {
        let mut out = output(config)?;
        write!(out, "{}", elaborate::program_to_string(&program))
            .and_then(|()| out.flush())
            .context("cannot write the elaborated program")?;
        return Ok(ExitCode::SUCCESS);
    }
    let stats = pass_stats::PassStats::start();
    let symbols = stap_runtime::symbols();
    let translated = codegen::translate(&program, &symbols, &codegen_options)?;
    if config.verbose > 0 {
        eprintln!(
            "Pass 3: translated to Cranelift IR: {} functions {}.",
            translated.function_count(),
            stats.finish()
        );
    }
    if config.last_pass == 3 {
        let mut out = output(config)?;
        write!(out, "{}", translated.ir_text)
            .and_then(|()| out.flush())
            .context("cannot write the Cranelift IR")?;
        return Ok(ExitCode::SUCCESS);
    }
    let stats = pass_stats::PassStats::start();
    let compiled = translated.compile()?;
    if config.verbose > 0 {
        eprintln!(
            "Pass 4: compiled to {} bytes of machine code {}.",
            compiled.code_size,
            stats.finish()
        );
    }
    if config.last_pass == 4 {
        let mut out = output(config)?;
        writeln!(
            out,
            "{} bytes of machine code in {} handlers",
            compiled.code_size,
            compiled.handlers().len()
        )
        .and_then(|()| out.flush())
        .context("cannot write the code size")?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(option) = config.target {
        anyhow::bail!(
            "{option} needs perf events, which are not implemented yet in this version of \
             stap-rs"
        );
    }
    let stats = pass_stats::PassStats::start();
    let mut info = compiled.info.clone();
    info.args = config.script_args.clone();
    let out: Box<dyn Write + Send> = match &config.output {
        Some(path) => Box::new(io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create output file '{}'", path.display()))?,
        )),
        None => Box::new(io::BufWriter::new(io::stdout())),
    };
    let session = stap_runtime::Session::new(
        info,
        compiled.handlers(),
        limits,
        2,
        out,
        Box::new(io::stderr()),
    )?;
    let report = stap_runtime::run(
        &session,
        &stap_runtime::RunOptions {
            timeout: config
                .timeout
                .and_then(|t| std::time::Duration::try_from_secs_f64(t).ok()),
        },
    );
    if config.verbose > 0 {
        eprintln!("Pass 5: run completed {}.", stats.finish());
    }
    if report.errors > 0 {
        eprintln!("Pass 5: run failed.  [man error::pass5]");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
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
