#!/usr/bin/env python3
"""Compare stap-rs and SystemTap on scripts that may be broken: do both accept or both
reject each one, at the same line:col, and print the same tree when they accept?

    bench/compare-accept-reject.py 'dir/*.stp' [ARGS...]

ARGS are passed to both as script arguments. Needs ../shared/tools/stap-oracle and a
release build (cargo build --release)."""
import glob
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
ours = os.path.join(here, "..", "target", "release", "stap-rs")
oracle = os.environ.get("STAP_ORACLE", os.path.join(here, "..", "..", "shared", "tools", "stap-oracle"))
place = re.compile(r"at \S+:(\d+):(\d+)")

agree = disagree = elsewhere = 0
for path in sorted(glob.glob(sys.argv[1])):
    args = sys.argv[2:]
    theirs = subprocess.run([oracle, "-p1", path, *args], capture_output=True, text=True, errors="replace")
    mine = subprocess.run([ours, "-p1", path, *args], capture_output=True, text=True, errors="replace")
    stap_fails, ours_fails = theirs.returncode != 0, mine.returncode != 0
    if stap_fails != ours_fails:
        disagree += 1
        print(f"disagree: {path} (stap fails: {stap_fails}, stap-rs fails: {ours_fails})")
        continue
    agree += 1
    if stap_fails:
        t, o = place.search(theirs.stderr), place.search(mine.stderr)
        if t and (not o or t.groups() != o.groups()):
            elsewhere += 1
            print(f"first error elsewhere: {path} stap {t.groups()} stap-rs {o.groups() if o else None}")
    elif theirs.stdout != mine.stdout:
        print(f"different tree: {path}")
print(f"agree={agree} disagree={disagree} first_error_elsewhere={elsewhere}")
