#!/usr/bin/env python3
"""Holds N idle listeners on one server (loopback only) until told to stop, bounded in time.

Usage: hold.py HOST PORT MODE N SECONDS   MODE = poll (long polls, re-sent after each answer)
or sse (event streams). Prints "ready N" once N requests are sent and answered with headers
(sse) or sent (poll), then holds until SECONDS have passed (or it is killed).
"""
import asyncio
import sys

HOST, PORT, MODE, N, SECONDS = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
assert HOST.startswith("127.") and N <= 10000 and SECONDS <= 600
CURSOR = sys.argv[6] if len(sys.argv) > 6 else "0"


def request():
    if MODE == "sse":
        path = "/api/events/stream?channel=room:bench"
    else:
        path = "/api/events?channel=room:bench&wait=25&after=" + CURSOR
    return ("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path).encode()


async def one(opened, failures):
    try:
        reader, writer = await asyncio.open_connection(HOST, PORT)
    except OSError:
        failures.append(1)
        opened.release()
        return
    writer.write(request())
    await writer.drain()
    if MODE == "sse":
        await reader.readuntil(b"\r\n\r\n")
    opened.release()
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            if MODE == "poll" and b"HTTP/1.1 204" in data:
                writer.write(request())  # a timed-out poll asks again at once, as a client would
    except (OSError, asyncio.CancelledError):
        return


async def main():
    opened = asyncio.Semaphore(0)
    failures = []
    tasks = []
    for i in range(N):
        tasks.append(asyncio.create_task(one(opened, failures)))
        if i % 200 == 199:
            await asyncio.sleep(0.05)  # connect in waves: the listen backlog is finite
    for _ in range(N):
        await asyncio.wait_for(opened.acquire(), timeout=120)
    print("ready %d failures %d" % (N, len(failures)), flush=True)
    await asyncio.sleep(SECONDS)  # the script kills it sooner once it has measured
    for t in tasks:
        t.cancel()


asyncio.run(main())
