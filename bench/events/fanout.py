#!/usr/bin/env python3
"""Fan-out latency: L SSE listeners spread round-robin over the given nodes, M messages published
through the first node, one every GAP seconds (by a process of its own, on one keep-alive
connection); for every delivery, receive time minus the time the publish was sent (one host, one
clock). Loopback only, bounded in count and time.

Usage: fanout.py L M GAP HOST:PORT [HOST:PORT ...]     prints, per delivery, publish -> arrival at
the client's socket (the kernel's receive timestamp, SO_TIMESTAMPNS: what the listener's host got
when) and publish -> read by this one-threaded client (which adds its own queue of 1,000 sockets per
message), counts, and the nodes' own view (tandem_events_delivery_seconds: publish -> written into
the stream)
"""
import asyncio
import http.client
import json
import multiprocessing
import os
import re
import socket
import struct
import sys
import time
import urllib.request

L, M, GAP = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
NODES = [a.split(":") for a in sys.argv[4:]]
assert all(h.startswith("127.") for h, _ in NODES) and L <= 5000 and M <= 1000 and GAP * M <= 120
STAMP = re.compile(rb'"text":"T(\d+)"')
latencies = []  # receive time as this client read it (its own queue included)
arrivals = []  # the kernel's receive time on the client socket (SO_TIMESTAMPNS)
per_listener = [0] * L


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; the control message has the same number


async def listen(i, ready):
    """One SSE stream on a raw socket, so each read also yields the kernel's receive time
    (SO_TIMESTAMPNS): when the bytes reached this client's socket, before this one thread got to them."""
    host, port = NODES[i % len(NODES)]
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.setblocking(False)
    done = loop.create_future()
    state = {"buf": b"", "hello": False}

    def readable():
        try:
            data, anc, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(16))
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            if not done.done():
                done.set_result(None)
            return
        now = time.time_ns()
        arrived = now
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(cdata) >= 16:
                sec, nsec = struct.unpack("qq", cdata[:16])
                arrived = sec * 1_000_000_000 + nsec
        buf = state["buf"] + data
        if not state["hello"] and b"event: hello" in buf:
            state["hello"] = True
            ready.release()
        cut = buf.rfind(b"\n\n")
        if cut >= 0:
            for m in STAMP.finditer(buf, 0, cut):
                sent = int(m.group(1))
                latencies.append((now - sent) / 1e6)
                arrivals.append((arrived - sent) / 1e6)
                per_listener[i] += 1
            buf = buf[cut + 2:]
        state["buf"] = buf

    try:
        await loop.sock_connect(sock, (host, int(port)))
        await loop.sock_sendall(sock, b"GET /api/events/stream?channel=room:fan HTTP/1.1\r\nHost: bench\r\n\r\n")
        loop.add_reader(sock.fileno(), readable)
        await done
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()


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


def publisher(pipe):
    """The publishing client, in a process of its own (forked before the listeners' loop starts):
    one keep-alive connection to the first node, as a real publisher would hold, and no wait for
    the listeners' thread between taking a message's send time and sending it."""
    host, port = NODES[0]
    conn = http.client.HTTPConnection(host, int(port), timeout=5)

    def post(path, body, cookie=None):
        headers = {"Content-Type": "application/json"}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("POST", path, body=body, headers=headers)
        res = conn.getresponse()
        res.read()
        if res.status // 100 != 2:
            raise RuntimeError("POST %s answered %d" % (path, res.status))
        return res

    try:
        cookie = post("/api/session/counter", b"").getheader("Set-Cookie").split(";")[0]
        pipe.send("ready")
        pipe.recv()  # go
        start = time.monotonic()
        answered = []  # each publish's round trip (ms): what the publishing node took to accept it
        for k in range(M):
            sent = time.time_ns()
            post("/api/rooms/fan/messages", json.dumps({"text": "T%d" % sent}).encode(), cookie)
            answered.append((time.time_ns() - sent) / 1e6)
            time.sleep(max(0, start + (k + 1) * GAP - time.monotonic()))
        pipe.send("done")
        pipe.send(sorted(answered))
    except Exception as e:  # reported to the parent, which fails the run
        pipe.send("publisher failed: %r" % e)
    finally:
        conn.close()


async def main(pipe):
    ready = asyncio.Semaphore(0)
    tasks = []
    for i in range(L):
        tasks.append(asyncio.create_task(listen(i, ready)))
        if i % 200 == 199:
            await asyncio.sleep(0.05)
    for _ in range(L):
        await asyncio.wait_for(ready.acquire(), timeout=60)
    loop = asyncio.get_running_loop()
    said = await loop.run_in_executor(None, pipe.recv)
    if said != "ready":
        raise SystemExit(said)
    before = await loop.run_in_executor(None, delivery_buckets)
    pipe.send("go")
    said = await loop.run_in_executor(None, pipe.recv)
    if said != "done":
        raise SystemExit(said)
    answered = await loop.run_in_executor(None, pipe.recv)
    deadline = time.monotonic() + 15
    while len(latencies) < L * M and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    after = await loop.run_in_executor(None, delivery_buckets)
    for t in tasks:
        t.cancel()
    lat = sorted(latencies)
    arr = sorted(arrivals)

    def q(p, xs=lat):
        return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")

    print("listeners %d over %d nodes, messages %d every %.0f ms: deliveries %d of %d, "
          "arrived at the client socket p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
          "read by the client p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, listeners missing events %d; "
          "node side (publish -> written to the stream, histogram bucket bounds): p50 <= %.0f ms, p99 <= %.0f ms, "
          "within 50 ms %.2f %%; publish answered p50 %.1f ms, p99 %.1f ms, max %.1f ms"
          % (L, len(NODES), M, GAP * 1000, len(lat), L * M, q(0.5, arr), q(0.99, arr), arr[-1] if arr else float("nan"),
             q(0.5), q(0.9), q(0.99), lat[-1] if lat else float("nan"),
             sum(1 for c in per_listener if c < M), node_quantile(before, after, 0.5), node_quantile(before, after, 0.99),
             100 * node_share_within(before, after, 0.05), q(0.5, answered), q(0.99, answered), answered[-1]),
          flush=True)


if __name__ == "__main__":
    here, there = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=publisher, args=(there,), daemon=True)
    child.start()
    # The listeners stand in for other hosts, but here they share the nodes' two cores: at the lowest
    # priority their reading yields the CPU to the nodes (and the publisher) instead of delaying the
    # writes it measures. What is measured does not wait for them: the kernel stamps each arrival.
    os.nice(19)
    try:
        asyncio.run(main(here))
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
