#!/usr/bin/env python3
"""bench/ab's summary: per cell, B against A in every round, per fork (a fresh pair of JVMs) and
over all rounds: median and range.

Usage: ab_report.py RAW_TSV
RAW_TSV holds bench/lib/cells.sh's records (as bench/pairs' do), the cells named CELL@A and CELL@B,
and one "fork F FIRST_ROUND FIRST_SIDE" record before each fork's rounds.
"""
import statistics
import sys

from pairs_report import not_2xx, read, spread, swing

CELLS = ["C1", "L", "C2", "C3a"]


def forks_of(path):
    """[(fork, first round, side started first)], in order."""
    with open(path) as f:
        recs = [line.rstrip("\n").split("\t") for line in f]
    return [(int(r[1]), int(r[2]), r[3]) for r in recs if r[0] == "fork"] or [(1, 1, "A")]


def main(path):
    warmed, rounds, bad = read(path)
    forks = forks_of(path)
    fork_of = {}
    for i, (f, first, _) in enumerate(forks):
        last = forks[i + 1][1] - 1 if i + 1 < len(forks) else max(rounds, default=0)
        fork_of.update({r: f for r in range(first, last + 1)})
    cells = sorted({c.split("@")[0] for c in warmed}, key=CELLS.index)
    print("forks: " + ", ".join(f"{f} ({side} started first)" for f, _, side in forks))
    for cell in cells:
        a, b = f"{cell}@A", f"{cell}@B"
        paired = [(r, fork_of[r], s[a], s[b]) for r, s in sorted(rounds.items()) if a in s and b in s]
        print(f"{cell}: fork round  A req/s  B req/s   B/A    A us    B us")
        for r, f, x, y in paired:
            print(f"{'':{len(cell) + 2}}{f:4d} {r:5d} {x[0]:8.0f} {y[0]:8.0f} {y[0] / x[0]:5.2f} {x[2]:7.1f} {y[2]:7.1f}")
        medians = []
        for f, _, _ in forks:
            mine = [(x, y) for _, g, x, y in paired if g == f]
            if mine:
                medians.append(statistics.median(y[0] / x[0] for x, y in mine))
                print(f"{cell}: fork {f}: B/A req/s {spread([y[0] / x[0] for x, y in mine], '{:.3f}')},"
                      f" CPU a request {spread([y[2] / x[2] for x, y in mine], '{:.3f}')}")
        print(f"{cell}: all rounds: B/A req/s {spread([y[0] / x[0] for _, _, x, y in paired], '{:.3f}')},"
              f" B/A CPU a request {spread([y[2] / x[2] for _, _, x, y in paired], '{:.3f}')}"
              f" (B - A: {spread([y[2] - x[2] for _, _, x, y in paired], '{:+.1f}', ' to ')} us)")
        # A change that only removes idle time (a stall) shows here even when the rate swings with the host.
        busy = [(x[0] * x[2] / 1e6, y[0] * y[2] / 1e6) for _, _, x, y in paired]
        print(f"{cell}: the node's busy share of its core (req/s x CPU a request): A {spread([a for a, _ in busy], '{:.3f}')},"
              f" B {spread([b for _, b in busy], '{:.3f}')}; B above A in {sum(b > a for a, b in busy)} of {len(busy)} rounds")
        if len(medians) > 1:
            side = "all above 1" if min(medians) > 1 else "all below 1" if max(medians) < 1 else "not all on one side of 1"
            print(f"{cell}: the forks' medians are {side}")
        for name, i in (("A", 2), ("B", 3)):
            print(f"{cell}: {name} req/s {swing([p[i][0] for p in paired]).strip()};"
                  f" p99 {spread([p[i][1] for p in paired], '{:.2f}')} ms")
    not_2xx(bad)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
