# shellcheck shell=bash
# How busy a JVM's JIT compilers are, from /proc (no attach, no JVM started to ask): for the
# benchmarks' warm-up rules and curves. Sourced by bench/side-by-side.

# jit_ticks PID[,PID...]: "TID TICKS" of each JIT compiler thread of theirs (none for a server without
# a JIT). The JVM starts and ends compiler threads as work comes and goes, hence per thread.
jit_ticks() {
  local p f
  for p in ${1//,/ }; do
    for f in /proc/"$p"/task/*; do
      [[ $(cat "$f/comm" 2>/dev/null) == *Compiler* ]] && awk '{ print $1, $14 + $15 }' "$f/stat" 2>/dev/null
    done
  done
  return 0
}
# jit_seconds BEFORE AFTER: the compiler threads' CPU seconds between two jit_ticks (a thread that
# ended in between loses its last part: a slight underestimate).
jit_seconds() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { t0[$1] = $2; next } { d += $2 - ($1 in t0 ? t0[$1] : 0) }
    END { printf "%.2f", d / hz }' <(echo "$1") <(echo "$2")
}
