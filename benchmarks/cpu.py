"""CPU time of a process and every process below it, from /proc (Linux).

Each process counts its threads' user and system time plus that of the children it has already
waited for (`cutime`, `cstime`), so a child that ran and was reaped stays counted, and a live one is
found by walking the parent links of /proc/*/stat.
"""

import os
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks incl. reaped children) of one process, None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, ...
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return int(fields[1]), utime + stime + cutime + cstime


def tree_cpu_s(root: int | None = None) -> float:
    """User + system CPU seconds used so far by `root` (default: this process) and all its descendants."""
    root = root or os.getpid()
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                stats[int(entry.name)] = found
    if root not in stats:
        found = _stat(root)
        if found is None:
            raise ProcessLookupError(root)
        stats[root] = found
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    ticks, todo = 0, [root]
    while todo:
        pid = todo.pop()
        ticks += stats[pid][1]
        todo.extend(children.get(pid, ()))
    return ticks / TICKS_PER_S
