#!/usr/bin/env bash
# Pass 1 side by side: `stap-rs -p1` and SystemTap's `stap -p1` on the same generated
# 10,000-line script, each run N times (default 10); prints the median wall time of
# each and the ratio. Needs ../shared/tools/stap-oracle and python3.
# Note: stap's pass 1 also parses its whole tapset library; stap-rs has none yet.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
oracle=${STAP_ORACLE:-$here/../shared/tools/stap-oracle}
runs=${1:-10}
cargo build --release --manifest-path "$here/Cargo.toml" -q || exit 1
ours=$here/target/release/stap-rs
script=$(mktemp --suffix=.stp)
python3 - "$script" <<'PY'
import sys
out = "@define RATE(n, d) %( ((@n) * 100 / ((@d) + 1)) %)\n"
i = 0
while out.count("\n") < 10000:
    out += f'''global counts_{i}[2048], totals_{i}, names_{i}%

function classify_{i}:string (value:long, name:string) {{
  if (value > 1000000) return sprintf("big %s %d", name, value)
  else if (value < 0) return "negative"
  for (j = 0; j < 8 && value > 0; j++) value >>= 1
  return name . ":" . sprint(value)
}}

probe perf.sw.cpu_clock.sample(100000), timer.profile ? {{
  counts_{i}[execname(), pid(), cpu()] <<< sample_period()
  totals_{i} += 1 /* a comment */
  if ([execname(), pid(), cpu()] in counts_{i} && totals_{i} % 100 == 0)
    names_{i}[tid()] = classify_{i}(totals_{i}, execname())
%( kernel_v >= "4.0" %?  totals_{i}++ %:  totals_{i}-- %)
}}

probe timer.s(5) {{
  foreach ([name, p, c] in counts_{i} @count- limit 10) {{
    printf("%-16s %6d %3d %8d %5d%%\\n", name, p, c,
           @count(counts_{i}[name, p, c]), @RATE(@count(counts_{i}[name, p, c]), totals_{i}))
  }}
  print(@hist_log(counts_{i}["swapper", 0, 0]))
  delete counts_{i}
}}

'''
    i += 1
open(sys.argv[1], "w").write(out)
PY
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local t0=$(date +%s%N)
    "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
    local t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
"$oracle" -p1 "$script" > /dev/null 2>&1   # warm up (installs SystemTap on first use)
rs=$(median_ms "$ours" -p1 "$script") || exit 1
st=$(median_ms "$oracle" -p1 "$script") || exit 1
lines=$(wc -l < "$script"); kib=$(( $(wc -c < "$script") / 1024 ))
echo "pass 1 on $lines lines ($kib KiB), median of $runs runs:"
echo "  stap-rs -p1: ${rs} ms"
echo "  stap -p1:    ${st} ms"
awk -v a="$rs" -v b="$st" 'BEGIN { printf "  ratio stap/stap-rs: %.1fx\n", b / (a > 0 ? a : 1) }'
rm -f "$script"
