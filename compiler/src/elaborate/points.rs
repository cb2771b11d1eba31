//! Probe points: the ones stap-rs runs (`begin`, `end`, `error`, `never`, `timer.*`),
//! and the script's own probe aliases, expanded as SystemTap expands them.

use stap_abi::ProbeKind;

use crate::ast::{Block, Component, Expr, Literal, ProbeAlias, ProbePoint};

use super::tokens::{Reported, Tokens};

/// Nanoseconds per jiffy: stap-rs assumes `HZ` = 250, the most common kernel setting.
pub const NS_PER_JIFFY: u64 = 4_000_000;

/// Alias expansion deeper than this is a loop.
const MAX_ALIAS_DEPTH: usize = 32;

/// Families of probe points SystemTap knows and stap-rs does not run yet.
const UNSUPPORTED_FAMILIES: &[&str] = &[
    "kernel",
    "module",
    "process",
    "perf",
    "mem",
    "procfs",
    "netfilter",
    "java",
    "python2",
    "python3",
    "kprobe",
    "syscall",
    "nd_syscall",
    "vfs",
    "scheduler",
    "signal",
    "ioblock",
    "socket",
    "tcp",
    "udp",
    "nfs",
    "nfsd",
    "irq_handler",
    "softirq",
    "workqueue",
    "netdev",
    "generic",
    "scsi",
    "sunrpc",
    "vm",
    "memory",
    "tty",
    "ipmib",
    "linuxmib",
    "tcpmib",
    "hwbkpt",
    "kernel.data",
    "tracepoint",
    "sdt",
];

/// One way a probe's points resolved: the points a handler runs at, with the alias
/// bodies around the user's body.
#[derive(Debug)]
pub struct Derived<'a> {
    /// The points, each with its `pp()` text; `None` for `never`.
    pub points: Vec<(Option<ProbeKind>, String)>,
    /// Alias bodies that run before the user's body, in order.
    pub before: Vec<&'a Block>,
    /// Alias bodies that run after it, in order.
    pub after: Vec<&'a Block>,
    /// Arming conditions (all must hold).
    pub conditions: Vec<&'a Expr>,
    /// The derivation, innermost alias first (`myal = timer.s(1)`).
    pub chain: Vec<String>,
}

/// A probe point as SystemTap prints it: `timer.ms(100)`, `foo.bar?`.
pub fn point_to_string(p: &ProbePoint, with_marks: bool) -> String {
    let mut s = components_to_string(&p.components);
    if with_marks {
        if p.optional {
            s.push('?');
        }
        if p.sufficient {
            s.push('!');
        }
    }
    s
}

fn components_to_string(components: &[Component]) -> String {
    let parts: Vec<String> = components
        .iter()
        .map(|c| match &c.arg {
            None => c.name.clone(),
            Some(Literal::Number(n)) => format!("{}({n})", c.name),
            Some(Literal::String(s)) => format!("{}(\"{s}\")", c.name),
        })
        .collect();
    parts.join(".")
}

fn alias_signature(a: &ProbeAlias) -> String {
    let names: Vec<String> = a.names.iter().map(|n| point_to_string(n, false)).collect();
    let points: Vec<String> = a.points.iter().map(|n| point_to_string(n, true)).collect();
    format!(
        "{} {} {}",
        names.join(", "),
        if a.epilogue { "+=" } else { "=" },
        points.join(", ")
    )
}

/// Resolves the points of one probe into handlers; errors go to `diagnostics`.
pub struct PointResolver<'a, 't, 'm> {
    /// The script's aliases.
    pub aliases: &'a [&'a ProbeAlias],
    /// For error tokens.
    pub tokens: &'t mut Tokens<'m>,
    /// Errors found.
    pub diagnostics: &'t mut Vec<Reported>,
}

impl<'a> PointResolver<'a, '_, '_> {
    /// The handlers of a probe with points `points`, grouped so that points with the
    /// same alias bodies share one handler.
    pub fn resolve_probe(&mut self, points: &'a [ProbePoint]) -> Vec<Derived<'a>> {
        let user_sig: Vec<String> = points.iter().map(|p| point_to_string(p, true)).collect();
        let user_sig = user_sig.join(",");
        let mut out: Vec<Derived<'a>> = Vec::new();
        for p in points {
            let derived = match self.expand(&p.components, 0) {
                Ok(d) => d,
                Err(errors) => {
                    if !p.optional {
                        self.diagnostics.extend(errors);
                    }
                    continue;
                }
            };
            for mut d in derived {
                if let Some(c) = &p.condition {
                    d.conditions.push(c);
                }
                d.chain.push(user_sig.clone());
                match out.iter_mut().find(|o| same_handler(o, &d)) {
                    Some(o) => o.points.extend(d.points),
                    None => out.push(d),
                }
            }
            if p.sufficient {
                break;
            }
        }
        out
    }

    /// Expands a point with components `components` (a probe's own, or an alias's
    /// target with the suffix of the point that named the alias).
    fn expand(
        &mut self,
        components: &[Component],
        depth: usize,
    ) -> Result<Vec<Derived<'a>>, Vec<Reported>> {
        let first = self.tokens.at_start(components[0].span);
        if depth > MAX_ALIAS_DEPTH {
            let name = components_to_string(components);
            return Err(vec![Reported::new(self.tokens.error(
                format!("recursive loop in alias expansion of {name}"),
                first,
            ))]);
        }
        let mut out = Vec::new();
        let aliases = self.aliases;
        for alias in aliases {
            for name in &alias.names {
                let Some(suffix) = match_alias(&name.components, components) else {
                    continue;
                };
                let mut derived = Vec::new();
                for target in &alias.points {
                    let mut target_components = target.components.clone();
                    target_components.extend_from_slice(suffix);
                    match self.expand(&target_components, depth + 1) {
                        Ok(mut d) => {
                            if let Some(c) = &target.condition {
                                d.iter_mut().for_each(|d| d.conditions.push(c));
                            }
                            derived.extend(d)
                        }
                        Err(e) if !target.optional => return Err(e),
                        Err(_) => {}
                    }
                }
                for mut d in derived {
                    if alias.epilogue {
                        d.after.insert(0, &alias.body);
                    } else {
                        d.before.push(&alias.body);
                        if let Some(e) = &alias.epilogue_body {
                            d.after.insert(0, e);
                        }
                    }
                    d.chain.push(alias_signature(alias));
                    out.push(d);
                }
            }
        }
        if !out.is_empty() {
            return Ok(out);
        }
        match builtin_point(components) {
            Ok(kind) => Ok(vec![Derived {
                points: vec![(kind, components_to_string(components))],
                before: Vec::new(),
                after: Vec::new(),
                conditions: Vec::new(),
                chain: Vec::new(),
            }]),
            Err(reason) => {
                let head = self.tokens.error("while resolving probe point", first);
                let detail = match reason {
                    PointError::Unsupported => "probe point not supported yet by stap-rs",
                    PointError::Mismatch => "probe point mismatch",
                };
                Err(vec![
                    Reported::new(head),
                    Reported::chained(self.tokens.error(detail, first)),
                ])
            }
        }
    }
}

fn same_handler(a: &Derived<'_>, b: &Derived<'_>) -> bool {
    let same_blocks = |x: &[&Block], y: &[&Block]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| std::ptr::eq(*p, *q))
    };
    let same_conditions = a.conditions.len() == b.conditions.len()
        && a.conditions
            .iter()
            .zip(&b.conditions)
            .all(|(p, q)| std::ptr::eq(*p, *q));
    same_blocks(&a.before, &b.before)
        && same_blocks(&a.after, &b.after)
        && same_conditions
        && a.chain == b.chain
}

/// Whether alias name `name` matches point `point`: the components the point has
/// beyond the name (the alias suffix) if so.
fn match_alias<'p>(name: &[Component], point: &'p [Component]) -> Option<&'p [Component]> {
    if point.len() < name.len() {
        return None;
    }
    for (n, c) in name.iter().zip(point) {
        if !glob_match(&c.name, &n.name) || n.arg != c.arg {
            return None;
        }
    }
    Some(&point[name.len()..])
}

/// `*` in `pattern` matches any run of characters.
fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            let Some(tail) = name.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len()).any(|i| tail.is_char_boundary(i) && glob_match(rest, &tail[i..]))
        }
    }
}

/// Why a point is not one stap-rs runs.
enum PointError {
    /// SystemTap knows it; stap-rs does not run it yet.
    Unsupported,
    /// Nobody knows it.
    Mismatch,
}

fn number(c: &Component) -> Option<i64> {
    match c.arg {
        Some(Literal::Number(n)) => Some(n),
        _ => None,
    }
}

/// The kind of a built-in point (`None` for `never`).
fn builtin_point(components: &[Component]) -> Result<Option<ProbeKind>, PointError> {
    let first = &components[0];
    let seq = || match &first.arg {
        None => Ok(0),
        Some(Literal::Number(n)) => Ok(*n),
        Some(Literal::String(_)) => Err(PointError::Mismatch),
    };
    match (first.name.as_str(), components.len()) {
        ("begin", 1) => return Ok(Some(ProbeKind::Begin(seq()?))),
        ("end", 1) => return Ok(Some(ProbeKind::End(seq()?))),
        ("error", 1) => return Ok(Some(ProbeKind::Error(seq()?))),
        ("never", 1) if first.arg.is_none() => return Ok(None),
        ("timer", 2 | 3) if first.arg.is_none() => {}
        (name, _) if UNSUPPORTED_FAMILIES.contains(&name) || name == "timer" => {
            return Err(PointError::Unsupported);
        }
        _ => return Err(PointError::Mismatch),
    }
    let unit = &components[1];
    let ns_per: u64 = match unit.name.as_str() {
        "ms" => 1_000_000,
        "us" => 1_000,
        "ns" => 1,
        "s" | "sec" => 1_000_000_000,
        "jiffies" => NS_PER_JIFFY,
        "hz" => 0,
        "profile" | "profile.tick" => return Err(PointError::Unsupported),
        _ => return Err(PointError::Mismatch),
    };
    let n = number(unit).ok_or(PointError::Mismatch)?;
    if n <= 0 {
        return Err(PointError::Mismatch);
    }
    let interval_ns = if ns_per == 0 {
        1_000_000_000 / n as u64
    } else {
        (n as u64).saturating_mul(ns_per)
    };
    let randomize_ns = match components.get(2) {
        None => 0,
        Some(r) if r.name == "randomize" && ns_per != 0 => {
            let r = number(r).ok_or(PointError::Mismatch)?;
            (r.max(0) as u64).saturating_mul(ns_per)
        }
        Some(_) => return Err(PointError::Mismatch),
    };
    Ok(Some(ProbeKind::Timer {
        interval_ns,
        randomize_ns,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs() {
        assert!(glob_match("ti*", "timer"));
        assert!(glob_match("*", "x"));
        assert!(!glob_match("a*b", "ac"));
    }
}
