"""A long table laid out by two processes: the pages before its middle in a forked child, the rest here.

The rows' layout and the pages' writing are most of a long journal's time, and a row's layout does
not depend on where it lands. When the document's flow reaches a table of ``MIN_ROWS`` rows or
more, the process forks: the child lays out the rows of the first half (and has everything before
the table, laid out already), paginates them and writes every page but its last, while this process
lays out the second half. The child's last page is the one the second half may still add to: the
child says where it starts (a row, and the splits that left the rest of a broken row there), this
process lays out again the few rows from there to the middle and paginates on from that page, as
the paginator would have (``paginate``'s ``start``), and writes its pages while the child writes
its own. The PDF is then the same bytes as one process makes: the child sends its pages' deflated
contents, their glyphs and their headings, numbered first (``pdfwrite.write``'s ``before``).

Only a process with one thread forks (a thread holding a lock at the fork would leave it held in
the child forever): the service's threaded workers render long tables in one process, and already
use every core with their concurrent requests. Anything unexpected in the child (an error, its
death, its silence) costs only the time: this process then lays out the first half itself.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import struct
import threading
import time

from .errors import NotSupported
from .paginate import paginate
from .pdfwrite import Writer, contents, page_outline

MIN_ROWS = 400  # below this, a fork and its messages cost about what they save
PATIENCE = 4.0  # how much longer than this process's own half the child may take ...
GRACE = 30.0  # ... plus this many seconds, before this process does the child's part itself


def available(processes: int) -> bool:
    """Whether a document may be laid out by two processes here."""
    return processes > 1 and hasattr(os, "fork") and threading.active_count() == 1


class Handoff:
    """Set on the document's flow (``typeset.render``): the first table of ``MIN_ROWS`` rows or more
    is shared with a child process; ``resume`` and ``before`` then tell the paginator and the
    writer that the child has the pages before ``resume``'s band."""

    def __init__(self, sheet, page_name: str, check_pages):
        self.sheet, self.page_name, self.check_pages = sheet, page_name, check_pages
        self.tried = False
        self.resume: tuple | None = None  # paginate's ``start``
        self.before: Before | None = None  # the child's pages

    def wants(self, rows: int, keep) -> bool:
        # A table of break-inside: avoid moves whole: where its pages start depends on all its rows.
        return not self.tried and keep is None and rows >= MIN_ROWS

    def lay_rows(self, flow, table_header, make, count: int) -> bool:
        """Adds the table's ``count`` body rows (``make(index)``: a row's band) to ``flow``, the
        first half through a child process; False (nothing added) when none can be forked."""
        self.tried = True
        middle = count // 2
        first_row = len(flow.bands)  # the index of row 0's band
        try:
            reader, writer = os.pipe()
        except OSError:
            return False
        pid = -1
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
        if pid == 0:  # the child: never returns
            os.close(reader)
            self._child(flow, make, middle, first_row, writer)
        if pid < 0:
            return False
        os.close(writer)
        child = Before(pid, reader)
        try:
            started = time.monotonic()
            rest = [make(index) for index in range(middle, count)]
            state = child.receive(PATIENCE * (time.monotonic() - started) + GRACE)
        except BaseException:
            child.discard()
            raise
        if state is None or state[0] != "state":
            child.discard()
            if state is not None and state[0] == "unsupported":
                raise NotSupported(state[1])
            for index in range(middle):  # declined or failed: the first half here
                flow.add(make(index))
            for band in rest:
                flow.add(band)
            return True
        _, child.count, row, keep_margin, rooms = state
        resume = len(flow.bands)
        for index in range(row, middle):
            flow.add(make(index))
        for band in rest:
            flow.add(band)
        band = flow.bands[resume]
        for room in rooms:  # the page starts with the rest of a row broken across pages
            band = band.parts.split(room, band, band.table.bottom)[1]
        flow.bands[resume] = band
        self.resume = (resume, keep_margin, (id(table_header),))
        self.before = child
        return True

    def _child(self, flow, make, middle: int, first_row: int, fd: int) -> None:
        # Objects from before the fork are shared with the parent until written to: a collection
        # would touch every one of them (copying the parent's whole memory).
        gc.freeze()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a Ctrl-C ends the child quietly
        try:
            for index in range(middle):
                flow.add(make(index))
            pages = paginate(flow.bands, self.sheet, self.page_name)
            start_index, keep_margin, rooms = pages[-1].start
            row = start_index - first_row
            if len(pages) < 2 or not 0 < row < middle:
                _send(fd, ("declined",))  # the last page does not start inside this table
                return
            done = pages[:-1]
            self.check_pages(done)
            _send(fd, ("state", len(done), row, keep_margin, rooms))
            writer = Writer()
            written = contents(writer, done)
            glyphs = {key: entry["glyphs"] for key, entry in writer.fonts.items()}
            _send(fd, ("pages", written, glyphs, page_outline(done)))
        except NotSupported as declined:
            _send(fd, ("unsupported", str(declined)))
        except BaseException as failed:  # noqa: BLE001 - reported, and the parent does the work
            try:
                _send(fd, ("failed", type(failed).__name__))
            except BaseException:  # noqa: BLE001
                pass
        finally:
            os._exit(0)


class Before:
    """The child process and the pages it writes: ``count`` of them, before this process's."""

    def __init__(self, pid: int, fd: int):
        self.pid = pid
        self.fd: int | None = fd  # None once closed (discard)
        self.count = 0
        self.started = time.monotonic()

    def receive(self, timeout: float):
        """The child's next message, or None when it ended or went silent for ``timeout`` seconds."""
        if self.fd is None:  # discarded: the child has ended
            return None
        deadline = time.monotonic() + timeout
        head = _read(self.fd, 8, deadline)
        if head is None:
            return None
        body = _read(self.fd, struct.unpack(">Q", head)[0], deadline)
        return None if body is None else pickle.loads(body)

    def collect(self) -> tuple[list, dict, list]:
        """The child's pages (deflated contents, sizes, art boxes), glyphs and outline entries."""
        try:
            message = self.receive(GRACE + PATIENCE * (time.monotonic() - self.started))
        finally:
            self.discard()
        if message is None or message[0] != "pages":
            raise ChildLost(message[1] if message else "no answer")
        return message[1], message[2], message[3]

    def discard(self) -> None:
        """Ends the child (if still running) and reaps it."""
        if self.fd is None:
            return
        os.close(self.fd)
        self.fd = None
        try:
            if os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


class ChildLost(RuntimeError):
    """The child did not send its pages after it had said where they end: the document is laid
    out again in one process (``typeset.render``)."""


def _send(fd: int, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack(">Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int, size: int, deadline: float) -> bytes | None:
    chunks, left = [], size
    while left:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            return None
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
