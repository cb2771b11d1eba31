#!/usr/bin/env bash
# Compare `stap-rs -p1` with real SystemTap's `stap -p1` over the scripts given, e.g.
#   bench/compare-p1.sh /usr/share/systemtap/tapset/*.stp
# Needs ../shared/tools/stap-oracle (installs SystemTap on first use). Both sides see
# the same kernel (the oracle's fake build tree) and SystemTap's tapset macros.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
oracle=${STAP_ORACLE:-$here/../shared/tools/stap-oracle}
cargo build --release --manifest-path "$here/Cargo.toml" -q || exit 1
ours=$here/target/release/stap-rs
kb=${TMPDIR:-/tmp}/stap-oracle-kbuild/build
work=$(mktemp -d)
same=0 differ=0 both_fail=0 only_stap_fails=0 only_ours_fails=0
for f in "$@"; do
  # stap refuses tapset files as session scripts; a copy elsewhere is fine.
  cp "$f" "$work/script.stp"
  "$oracle" -g -p1 "$work/script.stp" > "$work/stap.out" 2> "$work/stap.err"; s=$?
  "$ours" -g -r "$kb" -I /usr/share/systemtap/tapset -p1 "$work/script.stp" \
    > "$work/ours.out" 2> "$work/ours.err"; o=$?
  if [ $s -ne 0 ] && [ $o -ne 0 ]; then both_fail=$((both_fail+1))
  elif [ $s -ne 0 ]; then only_stap_fails=$((only_stap_fails+1)); echo "only stap fails: $f"
  elif [ $o -ne 0 ]; then only_ours_fails=$((only_ours_fails+1)); echo "only stap-rs fails: $f"
  elif cmp -s "$work/stap.out" "$work/ours.out"; then same=$((same+1))
  else differ=$((differ+1)); echo "differs: $f"; fi
done
rm -rf "$work"
echo "same=$same differ=$differ both_fail=$both_fail only_stap_fails=$only_stap_fails only_stap_rs_fails=$only_ours_fails"
