#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that see untrusted bytes (SECURITY.md, "Fuzzing"):
# builds every target of fuzz/fuzz_targets/ with cargo-fuzz on the stable toolchain
# (`--sanitizer none`: no -Z flag, so no nightly), then runs each for SECONDS (default 10) on
# a copy of its seed corpus in fuzz/corpus/ (with fuzz/dict/TARGET.dict where there is one),
# one target at a time. Prints the executions of each target; exits non-zero if any target
# crashed, hung or ran out of memory, naming the reproducer (saved in fuzz/artifacts/; the
# target's binary, fuzz/target/x86_64-unknown-linux-gnu/release/TARGET, replays it).
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-10}
shift || true
case $seconds in
  '' | *[!0-9]*)
    echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2
    exit 2
    ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
cargo fuzz --version

# fuzz/ is its own workspace, so its build (other RUSTFLAGS) stays in fuzz/target. Sixteen
# codegen units (cargo-fuzz's default is one) build the dependency tree a minute faster on
# two cores, for about the same speed of execution.
cargo fuzz build --sanitizer none --codegen-units 16
bin=target/x86_64-unknown-linux-gnu/release

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p artifacts
failed=0
crashed=0
total=0
for target in "${targets[@]}"; do
  corpus=$work/corpus/$target
  mkdir -p "$corpus" "artifacts/$target"
  cp corpus/"$target"/* "$corpus"/
  log=$work/$target.log
  dict=()
  if [ -f "dict/$target.dict" ]; then
    dict=(-dict="dict/$target.dict")
  fi
  status=0
  # -timeout: one input running this long is a hang (the slowest accepted stored password
  # hash takes well under it); -rss_limit_mb: libFuzzer's default, stated.
  "$bin/$target" "$corpus" \
    -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="artifacts/$target/" "${dict[@]}" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  execs=${execs:-0}
  total=$((total + execs))
  if [ "$status" -ne 0 ]; then
    failed=1
    crashed=$((crashed + 1))
    tail -n 60 "$log"
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "FAIL $target after $execs executions: reproducer fuzz/${reproducer:-artifacts/$target/}" >&2
    echo "     replay: fuzz/$bin/$target fuzz/${reproducer:-artifacts/$target/<file>}" >&2
  else
    echo "ok   $target: $execs executions in ${seconds} s"
  fi
done
echo "fuzzing: $total executions in $((SECONDS - started)) s over ${#targets[@]} targets"
# One line a CI log reader takes as the tally: a target passes when it ran without a crash.
echo "fuzz: $((${#targets[@]} - crashed)) passed, $crashed failed"
exit "$failed"
