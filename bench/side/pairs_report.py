#!/usr/bin/env python3
"""bench/pairs' summary: every round's slices, each goal's ratio per round, their median and range.

Usage: pairs_report.py RAW_TSV
RAW_TSV holds bench/lib/cells.sh's records: "curve CELL T RPS P99 BAD JIT" from the warm-up and
"slice ROUND CELL RPS P99 BAD CPU_US" from the rounds.
"""
import statistics
import sys

CELLS = ["C0", "C1", "L", "T1", "C2", "C3a", "C3b"]
# (name, goal, figure of one round from {cell: (rps, p99, cpu_us)}, format)
RATIOS = [
    ("C1/C0", ">= 0.5", lambda s: s["C1"][0] / s["C0"][0], "{:.2f}"),
    ("C1 p99 / C0 p99", "<= 2", lambda s: s["C1"][1] / s["C0"][1], "{:.1f}"),
    ("C1/T1", ">= 5", lambda s: s["C1"][0] / s["T1"][0], "{:.2f}"),
    ("L/C0", ">= 0.8", lambda s: s["L"][0] / s["C0"][0], "{:.2f}"),
    ("C2/C1", ">= 0.8", lambda s: s["C2"][0] / s["C1"][0], "{:.2f}"),
    ("C3a/C1", ">= 0.6", lambda s: s["C3a"][0] / s["C1"][0], "{:.2f}"),
    ("C3b/C3a", ">= 0.6", lambda s: s["C3b"][0] / s["C3a"][0], "{:.2f}"),
]


def read(path):
    """The records: {cell: (seconds warmed, last warm-up slice's req/s)}, {round: {cell: (rps, p99, cpu_us)}},
    and the count of answers not 2xx in the rounds."""
    warmed, rounds, bad = {}, {}, 0
    with open(path) as f:
        for line in f:
            rec = line.rstrip("\n").split("\t")
            if rec[0] == "curve":
                warmed[rec[1]] = (int(rec[2]) + 5, int(rec[3]))
            elif rec[0] == "slice":
                rounds.setdefault(int(rec[1]), {})[rec[2]] = (float(rec[3]), float(rec[4]), float(rec[6]))
                bad += int(rec[5])
    return warmed, rounds, bad


def spread(values, fmt, to="-"):
    """Median (range) of values, each number in fmt."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}{to}{fmt.format(max(values))})"


def swing(values):
    """A cell's own rate across the rounds: median (range), and the range as a share of the median."""
    return f"{statistics.median(values):8.0f} ({min(values):.0f}-{max(values):.0f}), {(max(values) - min(values)) / statistics.median(values):.0%} of it"


def not_2xx(bad):
    if bad:
        print(f"answers not 2xx in the rounds: {bad}")


def main(path):
    warmed, rounds, bad = read(path)
    cells = [c for c in CELLS if all(c in s for s in rounds.values())]
    for cell in cells:
        print(f"# {cell} warmed {warmed[cell][0]} s, its last slice {warmed[cell][1]} req/s")
    print("round " + "".join(f"{c + ' req/s':>12}" for c in cells) + "".join(f"{c + ' p99':>10}" for c in cells)
          + "".join(f"{c + ' us':>9}" for c in cells))
    for r, s in sorted(rounds.items()):
        print(f"{r:5d} " + "".join(f"{s[c][0]:12.0f}" for c in cells) + "".join(f"{s[c][1]:10.2f}" for c in cells)
              + "".join(f"{s[c][2]:9.1f}" for c in cells))
    print("ratios per round, then their median (range):")
    for name, goal, figure, fmt in RATIOS:
        try:
            values = [figure(s) for _, s in sorted(rounds.items())]
        except KeyError:
            continue  # a cell of it not run
        shown = " ".join(fmt.format(v) for v in values)
        print(f"{name:16s} {spread(values, fmt)}"
              f"   goal {goal}   rounds: {shown}")
    print("(C0's p99 here is raised by the idle servers' timers on its core: the suite's p99 ratio, each server alone, is the one to quote)")
    print("each cell's own rate across the rounds, median (range): the host's swing")
    for c in cells:
        print(f"{c:4s} {swing([s[c][0] for s in rounds.values()])}")
    not_2xx(bad)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
