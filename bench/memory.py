"""Peak memory of a process tree, sampled from /proc (Linux): the sum of the processes' PSS
(proportional set size: a page shared by n processes counts 1/n in each, so Chromium's many
processes sharing one binary are not counted many times over; RSS where PSS cannot be read).

A job's tree is the child the benchmark started and every process below it: Nysan's render
workers, Chromium's browser and renderer processes with Playwright's driver, LibreOffice's
soffice.bin. Sampling (every 0.1 s or less often, see PeakSampler) can miss a short peak; the JSON also keeps the
job's own ``ru_maxrss`` (its largest process, with its largest child)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, ()))
    return found


def tree_pss_kb(root: int) -> int:
    return sum(_pss_kb(pid) for pid in descendants(root))


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


class PeakSampler:
    """Samples a process tree's summed PSS in a thread until stopped; ``peak_mb`` is the largest.

    Reading PSS makes the kernel walk a process's page tables (about 10 ms for a 600 MB LibreOffice),
    so the sampler waits at least 30 times as long as its last sample took: it takes at most ~3% of
    one core from the job it measures. The tree itself is re-read from /proc every half second."""

    def __init__(self, pid: int, interval: float = 0.1, rescan: float = 0.5):
        self.pid, self.interval, self.rescan, self.peak_kb = pid, interval, rescan, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        pids, scanned = [self.pid], 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now - scanned >= self.rescan:
                pids, scanned = descendants(self.pid), now
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in pids))
            self._stop.wait(max(self.interval, 30 * (time.monotonic() - now)))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024
