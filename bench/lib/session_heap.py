#!/usr/bin/env python3
"""Heap per session on one running node: live heap (jcmd GC.class_histogram, after a full GC)
before and after N sessions, each made by one request (METHOD PATH, no cookie), and the classes
that grew most. Usage: session_heap.py URL PID N METHOD PATH. Loopback only (the caller's node)."""
import http.client
import subprocess
import sys
from urllib.parse import urlsplit


def histogram(pid):
    out = subprocess.run(["jcmd", pid, "GC.class_histogram"], capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0].endswith(":"):
            rows[f[3]] = rows.get(f[3], 0) + int(f[2])
        elif line.startswith("Total"):
            rows["TOTAL"] = int(f[2])
    return rows


def main():
    url, pid, n, method, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    u = urlsplit(url)
    if not u.hostname.startswith("127."):
        sys.exit("session_heap: loopback only")
    before = histogram(pid)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    codes = {}
    for _ in range(n):
        conn.request(method, path)
        r = conn.getresponse()
        r.read()
        codes[r.status] = codes.get(r.status, 0) + 1
    after = histogram(pid)
    grew = (after["TOTAL"] - before["TOTAL"]) / n
    print(f"{method} {path}: {n} sessions, answers {codes}; live heap {before['TOTAL'] / 2**20:.1f} -> "
          f"{after['TOTAL'] / 2**20:.1f} MiB: {grew:,.0f} bytes a session")
    top = sorted(((after.get(k, 0) - before.get(k, 0), k) for k in after if k != "TOTAL"), reverse=True)[:8]
    for d, k in top:
        print(f"  {d / n:8,.0f} B a session  {k}")


if __name__ == "__main__":
    main()
