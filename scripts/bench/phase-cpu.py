#!/usr/bin/env python3
# Where the machine's CPU goes in each phase of ../shared/yardstick/side-by-side.sh: sampled from /proc every 0.2 s until
# SIGTERM, each interval charged to the phase that the running wrk's command line names (its URL: the yardstick's /ingest
# or the LRS's /statements; its connections: 8 for batches, 16 for single statements). Per phase it prints the seconds
# seen and the cores used by the LRS, the yardstick, PostgreSQL's backends of each database and its other processes, wrk,
# everything else, and the cores left idle or waiting for the disk.
#
#   scripts/bench/phase-cpu.py POSTMASTER_PID LRS_PID     (stopped with SIGTERM; prints on the way out)
import signal, sys, time, collections
from proctable import ProcTable, TICK
pm, lrs = int(sys.argv[1]), int(sys.argv[2])
table = ProcTable(pm)

def group(pid, parent, cmd):
    if pid == lrs: return 'lrs'
    if 'IngestProto.dll' in cmd: return 'yardstick'
    if cmd.startswith('wrk '): return 'wrk'
    if pid == pm: return 'pg other'
    if parent == pm:
        parts = cmd.replace('postgres: ', '').split()
        # A client backend's title: user, database, client, state.
        if len(parts) > 2 and parts[0] == 'postgres' and '(' in parts[2]: return f'pg {parts[1]}'
        return 'pg other'
    return 'other'

def phase(procs):
    for _, _, cmd in procs.values():
        if not cmd.startswith('wrk '): continue
        target = 'yardstick' if '/ingest' in cmd else 'lrs'
        load = 'single' if '-c16' in cmd else 'batch'
        return f'{target}-{load}'
    return None

def machine():
    f = open('/proc/stat').readline().split()[1:]
    v = [int(x) for x in f]
    return v[3], v[4]  # idle, iowait (ticks)

seconds = collections.Counter()
cores = collections.defaultdict(collections.Counter)
prev, prev_m, prev_t = table.read(), machine(), time.time()
prev_label = phase(prev)
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
while not stop:
    time.sleep(0.2)
    now, now_m, now_t = table.read(), machine(), time.time()
    label = phase(now)
    if label is not None and label == prev_label:
        seconds[label] += now_t - prev_t
        for p, (parent, t, cmd) in now.items():
            t0 = prev[p][1] if p in prev else 0
            cores[label][group(p, parent, cmd)] += (t - t0) / TICK
        cores[label]['idle'] += (now_m[0] - prev_m[0]) / TICK
        cores[label]['iowait'] += (now_m[1] - prev_m[1]) / TICK
    prev, prev_m, prev_t, prev_label = now, now_m, now_t, label

names = ['lrs', 'yardstick', 'pg lrs', 'pg yardstick', 'pg other', 'wrk', 'other', 'idle', 'iowait']
print('phase              seconds ' + ' '.join(f'{n:>12s}' for n in names) + '   (cores)')
for label in sorted(seconds):
    s = seconds[label]
    print(f'{label:18s} {s:7.1f} ' + ' '.join(f'{cores[label][n] / s:12.2f}' for n in names))
