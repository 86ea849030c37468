"""Render processes: the work of a render runs in a process of its own, which can be killed.

A thread cannot be stopped, so a render that overran its deadline used to go on (CPU at 100%, its
slot held) long after the client got 503. Here each slot of the render gate is a persistent
process, forked from the worker with the registry already loaded (a job carries only the form id,
version, language, format and the clean data); at the deadline the process is killed with its whole
process group (the long-table PDF workers it may have started included) and a fresh one is forked
at the next render. Jobs are module-level functions, pickled by name.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import stat
import threading
from collections.abc import Callable
from typing import Any

from forms.rendering.gcpause import gc_paused

from .errorlog import where

_FORK = multiprocessing.get_context("fork")  # the child inherits the loaded registry: no start-up cost
_state: dict[str, Any] = {}  # in a render process: {"registry": ...}


class RenderFailed(RuntimeError):
    """The render process failed or died; only the exception's type and place are known here."""


def worker_registry():
    """The registry of the render process running a job."""
    return _state["registry"]


def _close_inherited_channels(keep: int) -> None:
    """Close the pipes and sockets the fork copied from the parent (a listening socket, client
    connections, another program's pipes such as a browser driver's): a render process holding their
    other ends would keep them open after the parent closes its own, and a reader waiting for their
    end would wait forever. Regular files (the fonts, read lazily) stay open."""
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        fd = int(name)
        if fd <= 2 or fd == keep:
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:  # the listing's own descriptor, already gone
            continue
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            os.close(fd)


def _serve(conn, registry) -> None:
    """A render process: run each job received, send back its result or its error, until the pipe ends."""
    _close_inherited_channels(conn.fileno())
    os.setpgrp()  # its own process group: killed with whatever it started
    for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCHLD"):
        if hasattr(signal, name):  # the gunicorn worker's handlers are not this process's
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _state["registry"] = registry
    gc.freeze()  # what was inherited stays put: never walked by the collector, never copied by it
    while True:
        try:
            work, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            with gc_paused():
                reply = ("ok", work(*args))
        except Exception as err:  # handed back to the request, which raises it (or a RenderFailed)
            reply = ("error", err)
        try:
            conn.send(reply)
        except Exception as err:  # an exception that does not pickle: its type and place only
            conn.send(("failed", where(reply[1] if reply[0] == "error" else err)))


class Worker:
    """One render process and the parent's end of its pipe."""

    def __init__(self, registry):
        self.conn, theirs = _FORK.Pipe()
        self.process = _FORK.Process(target=_serve, args=(theirs, registry), name="nysan-render", daemon=True)
        self.process.start()
        theirs.close()

    def call(self, work: Callable, args: tuple, seconds: float):
        """``work(*args)`` in the process; None when it is not done within ``seconds`` (then kill it)."""
        try:
            self.conn.send((work, args))
        except OSError:  # the process died while idle (e.g. the kernel's OOM killer)
            return ("failed", "the render process ended")
        if not self.conn.poll(max(0.0, seconds)):
            return None
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return ("failed", "the render process ended")

    def kill(self) -> None:
        """Stop the process and everything it started, now."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.process.kill()
        self.process.join()
        self.conn.close()


class Pool:
    """At most ``size`` render processes, started when first needed, one job each at a time."""

    def __init__(self, size: int, registry):
        self.size, self.registry = max(1, int(size)), registry
        self._idle: list[Worker] = []
        self._started = 0
        self._lock = threading.Lock()

    def take(self) -> Worker | None:
        """An idle process (forking one if a slot is free); None when every slot is busy."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if self._started >= self.size:
                return None
            self._started += 1
        try:
            return Worker(self.registry)
        except BaseException:
            self._drop()
            raise

    def give_back(self, worker: Worker) -> None:
        if worker.process.is_alive():
            with self._lock:
                self._idle.append(worker)
        else:
            worker.kill()
            self._drop()

    def discard(self, worker: Worker) -> None:
        worker.kill()
        self._drop()

    def _drop(self) -> None:
        with self._lock:
            self._started -= 1
