#!/usr/bin/env python3
"""Fan-out latency: L SSE listeners spread round-robin over the given nodes, M messages published
through the first node, one every GAP seconds; for every delivery, receive time minus the time
the publish was sent (one host, one clock). Loopback only, bounded in count and time.

Usage: fanout.py L M GAP HOST:PORT [HOST:PORT ...]     prints p50/p90/p99/max and counts, and the
nodes' own view (tandem_events_delivery_seconds: publish -> written into the stream), which leaves
out the time this one-threaded client takes to read 1,000 sockets per message
"""
import asyncio
import http.cookiejar
import json
import re
import sys
import time
import urllib.request

L, M, GAP = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
NODES = [a.split(":") for a in sys.argv[4:]]
assert all(h.startswith("127.") for h, _ in NODES) and L <= 5000 and M <= 1000 and GAP * M <= 120
STAMP = re.compile(rb'"text":"T(\d+)"')
latencies = []
per_listener = [0] * L


async def listen(i, ready):
    host, port = NODES[i % len(NODES)]
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /api/events/stream?channel=room:fan HTTP/1.1\r\nHost: bench\r\n\r\n")
    await writer.drain()
    buf = b""
    said_hello = False
    while True:
        data = await reader.read(65536)
        if not data:
            return
        now = time.time_ns()
        buf += data
        if not said_hello and b"event: hello" in buf:
            said_hello = True
            ready.release()
        cut = buf.rfind(b"\n\n")
        if cut < 0:
            continue
        for m in STAMP.finditer(buf, 0, cut):
            latencies.append((now - int(m.group(1))) / 1e6)
            per_listener[i] += 1
        buf = buf[cut + 2:]


BUCKET = re.compile(r'^tandem_events_delivery_seconds_bucket\{.*le="([^"]+)".*\} ([0-9.eE+]+)$')


def delivery_buckets():
    """The nodes' delivery histograms summed: upper bound (s) -> cumulative count."""
    total = {}
    for host, port in NODES:
        text = urllib.request.urlopen("http://%s:%s/metrics" % (host, port), timeout=5).read().decode()
        for line in text.splitlines():
            m = BUCKET.match(line)
            if m:
                le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
                total[le] = total.get(le, 0) + float(m.group(2))
    return total


def node_quantile(before, after, q):
    """Upper bound (ms) of the bucket holding quantile q of the deliveries between two readings."""
    bounds = sorted(after)
    n = after[bounds[-1]] - before.get(bounds[-1], 0)
    for b in bounds:
        if after[b] - before.get(b, 0) >= q * n:
            return b * 1000
    return float("nan")


def node_share_within(before, after, seconds):
    """Share of the deliveries between two readings written within `seconds` (a bucket edge)."""
    bounds = sorted(after)
    n = after[bounds[-1]] - before.get(bounds[-1], 0)
    return (after.get(seconds, 0) - before.get(seconds, 0)) / n if n else float("nan")


def publisher():
    host, port = NODES[0]
    jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    base = "http://%s:%s" % (host, port)
    jar.open(urllib.request.Request(base + "/api/session/counter", data=b"", method="POST",
                                    headers={"Content-Type": "application/json"}), timeout=5).read()
    return jar, base


def publish(jar, base):
    body = json.dumps({"text": "T%d" % time.time_ns()}).encode()
    req = urllib.request.Request(base + "/api/rooms/fan/messages", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    jar.open(req, timeout=5).read()


async def main():
    ready = asyncio.Semaphore(0)
    tasks = []
    for i in range(L):
        tasks.append(asyncio.create_task(listen(i, ready)))
        if i % 200 == 199:
            await asyncio.sleep(0.05)
    for _ in range(L):
        await asyncio.wait_for(ready.acquire(), timeout=60)
    loop = asyncio.get_running_loop()
    jar, base = await loop.run_in_executor(None, publisher)
    before = await loop.run_in_executor(None, delivery_buckets)
    start = time.monotonic()
    for k in range(M):
        await loop.run_in_executor(None, publish, jar, base)
        await asyncio.sleep(max(0, start + (k + 1) * GAP - time.monotonic()))
    deadline = time.monotonic() + 15
    while len(latencies) < L * M and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    after = await loop.run_in_executor(None, delivery_buckets)
    for t in tasks:
        t.cancel()
    lat = sorted(latencies)

    def q(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")

    print("listeners %d over %d nodes, messages %d every %.0f ms: deliveries %d of %d, "
          "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, listeners missing events %d; "
          "node side (publish -> written to the stream, histogram bucket bounds): p50 <= %.0f ms, p99 <= %.0f ms, "
          "within 50 ms %.2f %%"
          % (L, len(NODES), M, GAP * 1000, len(lat), L * M, q(0.5), q(0.9), q(0.99), lat[-1] if lat else float("nan"),
             sum(1 for c in per_listener if c < M), node_quantile(before, after, 0.5), node_quantile(before, after, 0.99),
             100 * node_share_within(before, after, 0.05)),
          flush=True)


asyncio.run(main())
