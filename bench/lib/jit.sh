# shellcheck shell=bash
# How busy a JVM's JIT compilers are, from /proc (no attach, no JVM started to ask): for the
# benchmarks' warm-up rules and curves. Sourced by bench/side-by-side.

# jit_ticks PID[,PID...]: "TID TICKS" of each JIT compiler thread of theirs (none for a server without
# a JIT). The JVM starts and ends compiler threads as work comes and goes, hence per thread.
# Two processes per JVM, not one per thread: this runs every slice, beside the server under test.
# A thread's name ("C2 CompilerThre") has a space, so its stat fields are counted after the ")".
jit_ticks() {
  local p comms
  for p in ${1//,/ }; do
    mapfile -t comms < <(grep -l Compiler /proc/"$p"/task/*/comm 2>/dev/null)
    ((${#comms[@]})) || continue
    awk '{ tid = $1; sub(/^.*\) /, ""); print tid, $12 + $13 }' "${comms[@]/%comm/stat}" 2>/dev/null
  done
  return 0
}
# jit_seconds BEFORE AFTER: the compiler threads' CPU seconds between two jit_ticks (a thread that
# ended in between loses its last part: a slight underestimate).
jit_seconds() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { t0[$1] = $2; next } { d += $2 - ($1 in t0 ? t0[$1] : 0) }
    END { printf "%.2f", d / hz }' <(echo "$1") <(echo "$2")
}
