#!/usr/bin/env python3
"""Summarizes a profile in collapsed form, for bench/profile (async-profiler's CPU samples, and JFR's
CPU and allocation samples, which bench/profile writes in the same form).

Usage: stacks.py FILE.collapsed CPU_US_PER_REQUEST
       stacks.py --bytes FILE.collapsed REQUESTS
FILE holds one line per distinct stack, "[thread];frame;...;frame WEIGHT", root first, as
async-profiler writes it with `collapsed,threads` (frames as package/Class.method; WEIGHT a count
of samples, or bytes). CPU: prints, as shares of all samples and as µs of the process's CPU per
request (CPU_US_PER_REQUEST, from /proc, split by the shares): the threads by pool (digits dropped
from their names), the time in the kernel, the first frame from the top outside the JDK and the
JVM (ours by method, else its library), the top frames by self time (kernel frames folded into
their caller), and the samples with a frame of each of a few packages anywhere in the stack.
--bytes: the weights are bytes allocated; prints them per request (REQUESTS in the window), by
the same owner and by self frame.
"""
import collections
import re
import sys

JDK = ("java/", "javax/", "jdk/", "sun/", "com/sun/")
PACKAGES = ["dev/tandem", "org/glassfish/jersey", "org/jvnet/hk2", "com/fasterxml/jackson",
            "io/micrometer", "org/eclipse/jetty/session", "org/infinispan", "org/jgroups",
            "sun/security/ssl", "LockSupport.park", "LockSupport.unpark",
            "org/eclipse/jetty/server/handler/QoSHandler", "ch/qos/logback"]


def kernel(frame):
    return frame.endswith("_[k]")


def java(frame):
    """A Java method: async-profiler writes them as package/Class.method."""
    return "/" in frame and not kernel(frame) and not frame.startswith("[")


def owner(frames):
    for f in reversed(frames):
        if not java(f) or f.startswith(JDK):
            continue
        if f.startswith("dev/tandem/"):
            return f
        return "/".join(f.split("/")[:3]) + "/*"
    return "(the JDK and the JVM only)"


def self_frame(frames):
    i = len(frames) - 1
    while i > 0 and kernel(frames[i]):
        i -= 1
    return frames[i]


def pool(thread):
    name = thread[1:-1] if thread.startswith("[") else thread
    name = re.sub(r" tid=\d+$", "", name)
    return re.sub(r"\d+", "N", name)


def read(path):
    """The file's stacks as (frames root first, weight), and their total weight."""
    stacks = []
    for line in open(path, encoding="utf-8"):
        body, _, count = line.rstrip("\n").rpartition(" ")
        if body:
            stacks.append((body.split(";"), int(count)))
    total = sum(n for _, n in stacks)
    if total == 0:
        sys.exit("stacks: no samples in " + path)
    return stacks, total


def allocation(path, requests):
    stacks, total = read(path)

    def show(counter, limit):
        for key, n in counter.most_common(limit):
            print(f"{n / requests:9.0f} {100 * n / total:5.1f}%  {key[:110]}")

    print(f"{total / requests:9.0f} bytes a request in all, from {len(stacks)} distinct stacks")
    print("by owner (the first frame from the top outside the JDK: ours by method, else its library):")
    show(_sum(stacks, owner), 16)
    print("top frames, self:")
    show(_sum(stacks, self_frame), 10)


def main(path, cpu_us):
    stacks, total = read(path)
    per_request = cpu_us / total  # µs of CPU a request that one sample stands for

    def show(counter, limit, width=110):
        for key, n in counter.most_common(limit):
            print(f"{n:7d} {100 * n / total:5.1f}% {n * per_request:7.1f} us  {key[:width]}")

    print(f"{total} CPU samples; {cpu_us:.1f} us of CPU a request, split by their shares")
    threads = collections.Counter()
    for frames, n in stacks:
        threads[pool(frames[0]) if frames[0].startswith("[") else "(no thread name)"] += n
    print("threads by pool (name with digits as N):")
    show(threads, 14)
    in_kernel = sum(n for frames, n in stacks if kernel(frames[-1]))
    print(f"in the kernel: {100 * in_kernel / total:.1f}% ({in_kernel * per_request:.1f} us a request)")
    print("by owner (the first frame from the top outside the JDK: ours by method, else its library):")
    owners = _sum(stacks, owner)
    show(owners, 16)
    ours = sum(n for k, n in owners.items() if k.startswith("dev/tandem/"))
    print(f"{ours:7d} {100 * ours / total:5.1f}% {ours * per_request:7.1f} us  ours together (dev/tandem as the first frame)")
    print("top frames, self (kernel folded into its caller):")
    show(_sum(stacks, self_frame), 16)
    print("with a frame of (inclusive):")
    for p in PACKAGES:
        n = sum(c for frames, c in stacks if any(p in f for f in frames))
        print(f"{n:7d} {100 * n / total:5.1f}% {n * per_request:7.1f} us  {p}")


def _sum(stacks, key):
    counter = collections.Counter()
    for frames, n in stacks:
        counter[key(frames)] += n
    return counter


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bytes":
        allocation(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3:
        main(sys.argv[1], float(sys.argv[2]))
    else:
        sys.exit(__doc__)
