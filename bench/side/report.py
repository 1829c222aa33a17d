#!/usr/bin/env python3
"""The side-by-side suite's report: figures per cell, ratios against issue 16's goals, warm-up curves.

Usage: report.py RAW.tsv RUN_DIR OUT_PREFIX [BEFORE.json]
Reads the records bench/side-by-side wrote (meta, ready, curve, run, window) and the servers' GC
logs (RUN_DIR/<server>-gc.log); writes OUT_PREFIX.md, .json and .png (gnuplot) and prints the .md.
BEFORE.json, an earlier run's .json, adds its C0, C1 and C2 warm-up curves to the chart, dashed.
"""
import json
import os
import re
import statistics
import subprocess
import sys
from datetime import datetime

CELLS = {
    "C0": "bare Jetty hello servlet",
    "T1": "Tornado hello, one process",
    "S": "bare Jetty burning CPU per request (meta: spin), Jetty's thread pool as it is",
    "Sr": "the same with no reserved threads (each request queued to the pool in order)",
    "S4": "the same with no reserved threads and 4 threads in all",
    "C1": "Tandem `GET /api/node`",
    "L": "Tandem `GET /health/live`",
    "C2": "`GET /api/session`, one session",
    "C3a": "`POST /api/session/counter`, 64 sessions, standalone",
    "C3b": "the same on one node of 3",
    "Hw": "3 nodes sharing C1's CPU warmed through HAProxy (its warm-up curve; not measured)",
    "D3": "`GET /api/node` on those 3 nodes straight from wrk, its 64 connections spread over them (p99: the highest of the three)",
    "H": "`GET /api/node` through HAProxy to those 3 nodes (product: keep-alive to the nodes; CPU: the nodes')",
    "Hc": "the same with a new connection per request (`http-server-close`)",
}
# A cell's three runs within this share of their median are one steady state; wider, the host moved
# (runs of one build on a quiet host spread 1-10 %; the host's phases moved cells by a third).
WIDE_SPREAD = 0.2
# (name, numerator, denominator, what, goal, higher is better)
RATIOS = [
    ("C1/C0", "C1", "C0", "rps", 0.5, True),
    ("C1 p99 / C0 p99", "C1", "C0", "p99", 2.0, False),
    ("C1/T1", "C1", "T1", "rps", 5.0, True),
    ("L/C0", "L", "C0", "rps", 0.8, True),
    ("C2/C1", "C2", "C1", "rps", 0.8, True),
    ("C3a/C1", "C3a", "C1", "rps", 0.6, True),
    ("C3b/C3a", "C3b", "C3a", "rps", 0.6, True),
    # "The sum of the nodes' standalone rates under the same CPU budget": the same three nodes on the
    # same shared core, each loaded straight (D3), so that the ratio is what the balancer costs.
    ("H/D3", "H", "D3", "rps", 0.75, True),
    ("Hc/D3", "Hc", "D3", "rps", 0.75, True),
    # The same at the nodes' CPU: each cell's rate if its nodes had had all of CPU 0 (1 s / their CPU
    # per request). HAProxy and wrk share CPU 1 and may fill it before the nodes fill CPU 0.
    ("H at the nodes' CPU / D3 at theirs", "H", "D3", ("rps_at_node_cpu", "rps_at_node_cpu"), 0.75, True),
    # No goal: the reading of earlier runs (three JVMs on a core as one node alone), and what sharing
    # one core three ways costs the nodes by itself, with no balancer.
    ("H/C1", "H", "C1", "rps", None, True),
    ("D3/C1", "D3", "C1", "rps", None, True),
    # No goal: C1's tail against bare Jetty's at about C1's CPU per request (the S cells).
    ("C1 p99 / S p99", "C1", "S", "p99", None, False),
]


def read_raw(path):
    meta, cells = {}, {}
    for line in open(path):
        kind, *f = line.rstrip("\n").split("\t")
        if kind == "meta":
            meta[f[0]] = f[1]
            continue
        cell = cells.setdefault(f[0], {"curve": [], "runs": []})
        if kind == "ready":
            cell["ready_ms"], cell["rss_mib"] = int(f[1]), int(f[2]) / 1024
        elif kind == "curve":
            cell["curve"].append({"t": int(f[1]), "rps": float(f[2]), "p99_ms": float(f[3]), "non2xx": int(f[4]),
                                  "jit_s": float(f[5]) if len(f) > 5 else None})
        elif kind == "window":
            cell["window"], cell["server"] = (int(f[1]), int(f[2])), f[3]
        elif kind == "balancer":
            cell["balancer_ticks"], cell["hz"] = int(f[1]), int(f[2])
        elif kind == "run":
            cell["runs"].append({"rps": float(f[2]), "p99_ms": float(f[3]), "non2xx": int(f[4]),
                                 "requests": int(f[5]), "cpu_us": float(f[6])})
    return meta, cells


GC_LINE = re.compile(r"^\[([^\]]+)\].* (\d+)([KMG])->(\d+)([KMG])\(")
UNITS = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}


def allocated_per_second(gc_log, window):
    """Bytes allocated per second between the window's first and last collection, or None.

    Between two collections the heap grows only by allocation, so what was allocated is the heap
    used before a collection minus the heap used after the one before it."""
    if not os.path.exists(gc_log) or not window:
        return None
    start, end = window
    gcs = []
    for line in open(gc_log):
        m = GC_LINE.match(line)
        if not m:
            continue
        when = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000
        if start <= when <= end:
            gcs.append((when, int(m.group(2)) * UNITS[m.group(3)], int(m.group(4)) * UNITS[m.group(5)]))
    if len(gcs) < 3:
        return None
    allocated = sum(cur[1] - prev[2] for prev, cur in zip(gcs, gcs[1:]))
    seconds = (gcs[-1][0] - gcs[0][0]) / 1000
    return allocated / seconds if seconds > 0 else None


def summarize(cells, run_dir):
    for name, c in cells.items():
        runs = c["runs"]
        if not runs:
            continue
        rps = [r["rps"] for r in runs]
        p99 = [r["p99_ms"] for r in runs]
        c["rps"], c["rps_range"] = statistics.median(rps), (min(rps), max(rps))
        c["p99"], c["p99_range"] = statistics.median(p99), (min(p99), max(p99))
        c["cpu_us"] = statistics.median(r["cpu_us"] for r in runs)
        c["non2xx"] = sum(r["non2xx"] for r in runs)
        rate = allocated_per_second(os.path.join(run_dir, f"{c.get('server')}-gc.log"), c.get("window"))
        per_s = statistics.median(r["requests"] for r in runs) / 10
        c["alloc_kib"] = rate / per_s / 1024 if rate and per_s else None
        if "balancer_ticks" in c:
            # HAProxy's CPU per request apart.
            c["balancer_us"] = c["balancer_ticks"] / c["hz"] * 1e6 / sum(r["requests"] for r in runs)
        # The rate the servers would reach with all of CPU 0: what a cell measures when the client's
        # CPU (wrk, and HAProxy in H) fills before CPU 0 does.
        c["rps_at_node_cpu"] = 1e6 / c["cpu_us"] if c["cpu_us"] else None
        if c["curve"]:
            c["first5_share"] = c["curve"][0]["rps"] / c["rps"] if c["rps"] else None
            c["warm_s"] = c["curve"][-1]["t"] + 5


def fmt(v, digits=0):
    return "n/a" if v is None else f"{v:,.{digits}f}"


def markdown(meta, cells):
    out = [f"# Side by side, {meta.get('started', '?')}", ""]
    out += [f"- {k}: {meta[k]}" for k in ("machine", "jvm", "build", "node", "warm", "spin") if k in meta]
    out += ["", "| cell | what | OK req/s (median, range of 3 × 10 s) | p99 ms (median, range) | CPU µs / request | "
            "p99 / mean | allocated KiB / request | non-2xx |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, what in CELLS.items():
        c = cells.get(name)
        if not c or "rps" not in c:
            continue
        out.append(f"| {name} | {what} | **{fmt(c['rps'])}** ({fmt(c['rps_range'][0])}–{fmt(c['rps_range'][1])}) | "
                   f"**{fmt(c['p99'], 1)}** ({fmt(c['p99_range'][0], 1)}–{fmt(c['p99_range'][1], 1)}) | "
                   f"{fmt(c['cpu_us'], 1)} | {fmt(tail_shape(c), 1)} | {fmt(c['alloc_kib'], 1)} | {c['non2xx']} |")
    wide = list(wide_spreads(cells))
    if wide:
        out += ["", "**Runs spread wide** (the range of a cell's three runs over "
                f"{round(WIDE_SPREAD * 100)} % of its median): "
                + "; ".join(f"{n} {fmt(lo)}–{fmt(hi)} ({round(share * 100)} %)" for n, lo, hi, share in wide)
                + ". The host moved under these cells (side/README.md: its phases move bare Jetty as much);"
                " run them again before reading their ratios."]
    out += ["", "| ratio | measured | goal | met |", "| --- | --- | --- | --- |"]
    for label, _, _, value, goal, higher in ratios(cells):
        wanted = "none (for comparison)" if goal is None else f"{'≥' if higher else '≤'} {goal}"
        out.append(f"| {label} | {fmt(value, 2)} | {wanted} | {goal_met(value, goal, higher)} |")
    for name in ("H", "Hc"):
        c = cells.get(name)
        if c and c.get("balancer_us") is not None:
            out += ["", f"{name}: the nodes {fmt(c['cpu_us'], 1)} µs of CPU a request, HAProxy {fmt(c['balancer_us'], 1)} µs "
                        f"(on CPU 1 with wrk); at the nodes' CPU alone {fmt(c['rps_at_node_cpu'])} req/s."]
    out += ["", "| warm-up | start → ready | RSS at ready | first 5 s of load / plateau | warmed for |",
            "| --- | --- | --- | --- | --- |"]
    for name in CELLS:
        c = cells.get(name)
        if c and "ready_ms" in c:
            out.append(f"| {name} | {fmt(c['ready_ms'])} ms | {fmt(c['rss_mib'])} MiB | "
                       f"{fmt(c.get('first5_share'), 2)} | {c.get('warm_s', 'n/a')} s |")
    out += ["", "Warm-up curves (OK req/s per 5 s slice from ready; under each, the JIT compilers' CPU",
            "seconds in that slice):", ""]
    for name in CELLS:
        c = cells.get(name)
        if c and c["curve"]:
            out.append(f"- {name}: `{' '.join(str(round(s['rps'])) for s in c['curve'])}`")
            jit = [s["jit_s"] for s in c["curve"]]
            if any(jit):
                out.append("  JIT: `" + " ".join(f"{j:.1f}" for j in jit) + "`")
    return "\n".join(out) + "\n"


def wide_spreads(cells):
    """Cells whose three runs differ by more than WIDE_SPREAD of their median: (name, low, high, share)."""
    for name in CELLS:
        c = cells.get(name)
        if c and c.get("rps"):
            lo, hi = c["rps_range"]
            if (hi - lo) / c["rps"] > WIDE_SPREAD:
                yield name, lo, hi, (hi - lo) / c["rps"]


def tail_shape(c):
    """p99 over the mean latency wrk's 64 closed-loop connections must see at that rate (Little's law:
    64 / req/s): 1 if every request waited alike, more the less fairly the server took turns."""
    return c["p99"] / (64_000 / c["rps"]) if c.get("rps") and c.get("p99") is not None else None


def ratios(cells):
    for label, num, den, what, goal, higher in RATIOS:
        a, b = cells.get(num, {}), cells.get(den, {})
        wa, wb = what if isinstance(what, tuple) else (what, what)
        value = a[wa] / b[wb] if a.get(wa) and b.get(wb) else None
        yield label, num, den, value, goal, higher


def goal_met(value, goal, higher):
    if value is None or goal is None:
        return "n/a" if value is None else ""
    return "yes" if (value >= goal if higher else value <= goal) else "**no**"


def chart(cells, before, run_dir, png):
    names = [n for n in CELLS if n in cells and "rps" in cells[n]]
    with open(os.path.join(run_dir, "cells.dat"), "w") as f:
        for n in names:
            f.write(f"{n} {cells[n]['rps']:.0f} {cells[n]['p99']:.2f}\n")
    curves = []
    for label, source, style in [("", cells, "lw 2"), (" before", before, "dt 2 lw 2")]:
        for n in ("C0", "C1", "C2"):
            c = source.get(n) if source else None
            if c and c.get("curve") and c.get("rps"):
                path = os.path.join(run_dir, f"curve-{n}{label.strip()}.dat")
                with open(path, "w") as f:
                    for s in c["curve"]:
                        f.write(f"{s['t'] + 5} {s['rps'] / c['rps']:.3f}\n")
                curves.append(f"'{path}' using 1:2 with linespoints {style} title '{n}{label}'")
    script = f"""
set terminal pngcairo size 1500,500 font ',10'
set output '{png}'
set multiplot layout 1,3
set style fill solid 0.6
set boxwidth 0.7
set grid y
set title 'OK req/s at the plateau (median of 3 x 10 s), log scale'
set logscale y
plot '{run_dir}/cells.dat' using 0:2:xtic(1) with boxes notitle
unset logscale y
set title 'p99 at the plateau, ms'
plot '{run_dir}/cells.dat' using 0:3:xtic(1) with boxes notitle
set title 'warm-up: OK req/s per 5 s slice / plateau'
set xlabel 'seconds of load since ready'
set yrange [0:*]
set key bottom right
plot {', '.join(curves) if curves else '0 notitle'}
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    raw, run_dir, prefix = sys.argv[1:4]
    before = json.load(open(sys.argv[4]))["cells"] if len(sys.argv) > 4 and sys.argv[4] else None
    meta, cells = read_raw(raw)
    summarize(cells, run_dir)
    md = markdown(meta, cells)
    with open(prefix + ".md", "w") as f:
        f.write(md)
    with open(prefix + ".json", "w") as f:
        json.dump({"meta": meta, "cells": cells,
                   "ratios": {label: value for label, _, _, value, _, _ in ratios(cells)}}, f, indent=1)
    chart(cells, before, run_dir, prefix + ".png")
    print(md)


if __name__ == "__main__":
    main()
