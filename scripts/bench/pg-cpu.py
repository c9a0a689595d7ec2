#!/usr/bin/env python3
# The CPU seconds PostgreSQL's processes used over SECONDS, by kind of process (client backends by database, autovacuum
# workers, checkpointer, ...): every child of POSTMASTER_PID is sampled from /proc every 0.2 s, so that the short-lived
# autovacuum workers are counted too (up to their last sample).
#
#   scripts/bench/pg-cpu.py POSTMASTER_PID SECONDS
import sys, time, collections
from proctable import ProcTable, TICK
pm = int(sys.argv[1]); secs = float(sys.argv[2])
table = ProcTable(pm)
def kids():
    return {p: (t, cmd) for p, (parent, t, cmd) in table.read().items() if parent == pm}
def kind(cmd):
    c = cmd.replace('postgres: ', '')
    for k in ('autovacuum worker', 'autovacuum launcher', 'walwriter', 'checkpointer', 'background writer', 'logical replication', 'stats'):
        if c.startswith(k): return k
    parts = c.split()
    return 'backend ' + (parts[1] if len(parts) > 1 else '?')
first = kids(); last = dict(first); end = time.time() + secs
while time.time() < end:
    for p, v in kids().items(): last[p] = v
    time.sleep(0.2)
sums = collections.Counter()
for p, (t, cmd) in last.items():
    t0 = first[p][0] if p in first else 0
    sums[kind(cmd)] += (t - t0) / TICK
for k, v in sums.most_common(): print(f'{k:30s} {v:7.2f} s')
print(f'{"total":30s} {sum(sums.values()):7.2f} s')
