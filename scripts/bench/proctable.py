# The processes of the machine read from /proc, for pg-cpu.py and phase-cpu.py (imported, not run).
import os

TICK = os.sysconf('SC_CLK_TCK')


class ProcTable:
    """Every process's parent, CPU ticks (user + system) and command line; a command line is read once per process."""

    def __init__(self, postmaster):
        self.postmaster = postmaster
        self.commands = {}

    def read(self):
        out = {}
        for p in os.listdir('/proc'):
            if not p.isdigit(): continue
            try:
                st = open(f'/proc/{p}/stat').read()
                rest = st[st.rindex(')') + 2:].split()
                pid, parent = int(p), int(rest[1])
                cmd = self.commands.get(pid)
                if cmd is None:
                    cmd = open(f'/proc/{p}/cmdline').read().replace('\0', ' ').strip()
                    # A new backend takes its title ("postgres: user database client state") a moment after its fork.
                    if parent != self.postmaster or cmd.startswith('postgres: '): self.commands[pid] = cmd
                out[pid] = (parent, int(rest[11]) + int(rest[12]), cmd)
            except (OSError, ValueError): pass
        return out
