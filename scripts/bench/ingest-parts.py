#!/usr/bin/env python3
"""Shares of the LRS's CPU by part, from `perf script` of the LRS (with DOTNET_PerfMapEnabled=1) on standard input.

Each sample counts once, for the innermost frame of its stack that names one of the parts below (so a sample in
JsonText.Shared called by the preparer counts as preparation, and one in Npgsql's writer as Npgsql's). A sample with no
such frame counts as "runtime, no managed frame" (the collector's and the JIT's threads) or "kernel, no managed frame".
"""
import re
import sys
from collections import Counter

PARTS = [
    ("collector", r"gc_heap|GCHeap|WKS::|SVR::|GarbageCollect"),
    ("parse", r"JsonBody::Parse|JsonText::ParseDocument"),
    ("validate", r"StatementValidator::Validate"),
    ("prepare", r"StatementPreparer::Prepare"),
    ("names and definitions", r"UpdateDefinitionsAsync|InsertAgentNamesAsync|UnknownNames|StatementStore::Remember"),
    ("Npgsql writes", r"Npgsql.*(Write|Bind|Flush)"),
    ("Npgsql reads", r"Npgsql.*(Read|Ensure|NextResult)"),
    ("rest of storage", r"Lrs\.Storage"),
    ("authentication", r"Authentication|CredentialVerifier"),
    ("metrics", r"OpenTelemetry|System\.Diagnostics\.Metrics"),
    ("Kestrel, middleware, endpoint", r"Microsoft\.AspNetCore|Lrs\.Api"),
    ("sockets, thread pool", r"System\.Net\.Sockets|ThreadPool|SocketAsync|epoll|futex"),
]
compiled = [(name, re.compile(rx)) for name, rx in PARTS]


def part(stack):
    for frame in stack:
        for name, rx in compiled:
            if rx.search(frame):
                return name
    return "kernel, no managed frame" if "[kernel.kallsyms]" in stack[0] else "runtime, no managed frame"


counts, stack = Counter(), []
for line in sys.stdin:
    if not line.strip():
        if stack:
            counts[part(stack)] += 1
        stack = []
    elif line[0] in " \t":
        stack.append(line.strip())
if stack:
    counts[part(stack)] += 1
total = sum(counts.values())
if total == 0:
    sys.exit("no samples")
for name, n in counts.most_common():
    print(f"{name:32s} {100 * n / total:5.1f} %")
print(f"{'samples':32s} {total:5d}")
