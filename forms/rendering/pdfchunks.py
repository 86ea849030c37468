"""A long table's PDF laid out in chunks on all cores, with exactly the pages of the one-process path.

WeasyPrint is pure Python: one document uses one core. A journal of thousands of rows is cut into
chunks of rows (the rendered HTML's ``<tbody>``, everything else kept), each a document of its own,
parsed and styled ahead of time in a worker process. Pagination stays the one-process path's:

- chunk 0 is laid out from the start of the document; its last page is dropped (the table ends there
  only because the chunk ends), and WeasyPrint's own state for that page (where it resumes inside
  the table, page side and counters) is handed on;
- chunk k is laid out *resuming at that row*, through WeasyPrint's own continuation of a table on a
  new page (the heading rows repeat), so each page holds what the whole document's page would hold;
- only the last chunk carries what follows the table.

Laying out is sequential (each chunk waits for the row where the previous one stopped), but parsing,
styling, drawing and writing overlap with it on the other core. The chunks' PDFs are joined with
pypdf (each carries its own subset of the font). Documents this cannot follow exactly (page
counters, :first/:left/:right pages, a table that is not a direct child of <body>, a row taller than a
page) are rendered by the one-process path instead.
"""
from __future__ import annotations

import atexit
import io
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection, wait
from pathlib import Path

MIN_ROWS = 400        # shorter tables are rendered in one process (the workers' overhead would not pay)
CHUNK_ROWS = 320      # rows per chunk (about 25 pages of the referral journal)
SLACK_ROWS = 48       # a chunk also holds this many rows before its nominal start: where it resumes

# CSS whose result depends on the whole page sequence (page counters, :first/:left/:right pages,
# running elements) or on a row's position among all rows (CSS counters, structural selectors,
# sibling combinators): a chunk would style or number its rows differently. With it, no chunking.
_PAGE_DEPENDENT = re.compile(r"counter|@page\s*[^{]*:(first|left|right|blank|nth)|running\(|string-set|footnote"
                             r"|target-|position:\s*fixed|bookmark-|leader\(|nth-|-child|-of-type|:has\(|[+~]", re.I)
_TBODY = re.compile(r"<tbody\b[^>]*>", re.I)
_ROW = re.compile(r"(?=<tr\b)", re.I)


class NotChunkable(Exception):
    """This document cannot be chunked with the same pages; render it in one process."""


def workers() -> int:
    """Worker processes for long tables: ``NYSAN_PDF_WORKERS``, default the number of cores (at most 4)."""
    value = os.environ.get("NYSAN_PDF_WORKERS")
    return max(1, int(value)) if value else min(4, os.cpu_count() or 1)


class Split:
    """The rendered HTML around its longest table body: ``head`` + rows + ``tail``."""

    def __init__(self, html: str, layout_css: str):
        bodies = [(m, html.find("</tbody>", m.end())) for m in _TBODY.finditer(html)]
        if not bodies:
            raise NotChunkable("no table body")
        match, end = max(bodies, key=lambda b: html.count("<tr", b[0].end(), b[1]))
        content = html[match.end():end]
        if end < 0 or "<table" in content or "<tbody" in content:
            raise NotChunkable("nested tables")
        pieces = _ROW.split(content)
        self.lead, self.rows = pieces[0], pieces[1:]
        if self.lead.strip() or any(r.count("<tr") != 1 or r.count("</tr>") != 1 for r in self.rows):
            raise NotChunkable("rows are not plain <tr> elements")
        styles = re.findall(r"<style\b[^>]*>(.*?)</style>|\sstyle=\"([^\"]*)\"", html, re.S | re.I)
        if _PAGE_DEPENDENT.search(layout_css + " ".join(a + b for a, b in styles)):
            raise NotChunkable("page-dependent CSS")
        self.head = html[:match.end()]
        self.tail = html[end:]
        table_close = self.tail.find("</table>")
        body_close = self.tail.rfind("</body>")
        if table_close < 0 or body_close < table_close:
            raise NotChunkable("no table end")
        # What a chunk that is not the last ends with: the table closed, nothing after it.
        self.cut_tail = self.tail[:table_close + len("</table>")] + "\n" + self.tail[body_close:]
        _check_direct_child_of_body(self.head)

    def chunk(self, first: int, last: int) -> str:
        tail = self.tail if last >= len(self.rows) else self.cut_tail
        return self.head + self.lead + "".join(self.rows[first:last]) + tail


def _check_direct_child_of_body(head: str) -> None:
    """The table must sit directly in <body>: the resume position names body → table → rows only."""
    from html.parser import HTMLParser

    void = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    stack: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in void:
                stack.append(tag)

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            if tag in stack:
                while stack.pop() != tag:
                    pass

    Tags().feed(head)
    inner = stack[stack.index("body") + 1:] if "body" in stack else None
    if inner != ["table", "tbody"]:
        raise NotChunkable(f"the table is inside {inner}")


def plan(rows: int, processes: int) -> list[tuple[int, int]]:
    """Nominal [start, end) of each chunk: CHUNK_ROWS rows each (at most ~64 chunks). WeasyPrint's cost
    per row grows with the length of the document (7.5 ms a row laid out in a 350-row chunk, 9 ms in a
    1,400-row one), so chunks stay short however long the table is: 8,000 rows took 2.75 times as long
    as 4,000 in 12 chunks each, 2.1 times in 320-row chunks. Shorter chunks cost more than they save
    (4,000 rows: 34 s in 333-row chunks, 40 s in 200-row ones)."""
    size = max(CHUNK_ROWS, rows // 64)
    starts = list(range(0, rows, size))
    if len(starts) > 1 and rows - starts[-1] < size // 2:
        starts.pop()  # a short last chunk joins the one before
    return [(s, starts[i + 1] if i + 1 < len(starts) else rows) for i, s in enumerate(starts)]


class _Pool:
    """Worker processes, each with its own socket (a chunk's parsed document stays in its worker).

    Started as ``python -c`` with the socket's descriptor rather than by multiprocessing, whose
    spawn would re-run the caller's main script in each worker."""

    def __init__(self, processes: int):
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self.pipes, self.procs = [], []
        for _ in range(processes):
            mine, theirs = socket.socketpair()
            proc = subprocess.Popen(
                [sys.executable, "-c", f"from forms.rendering.pdfworker import main; main({theirs.fileno()})"],
                pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
            theirs.close()
            self.pipes.append(Connection(mine.detach()))
            self.procs.append(proc)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def close(self) -> None:
        """Close the sockets: an idle worker reads the end and exits; a busy one is stopped."""
        for pipe in self.pipes:
            pipe.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


_pool: _Pool | None = None
_pool_lock = threading.Lock()   # one chunked render at a time per process; others render in one process


def render(html: str, layout_css: Path | None, identifier: bytes) -> bytes:
    """The PDF of ``html`` rendered in chunks; raises NotChunkable where that would change the pages."""
    processes = workers()
    if processes < 2:
        raise NotChunkable("one worker")
    css_text = layout_css.read_text(encoding="utf-8") if layout_css else ""
    split = Split(html, css_text)
    if len(split.rows) < MIN_ROWS:
        raise NotChunkable("short table")
    if not _pool_lock.acquire(blocking=False):
        raise NotChunkable("the workers are busy")
    try:
        pool = _get_pool(processes)
        try:
            pdfs = _run(pool, split, str(layout_css) if layout_css else None)
        except BaseException as err:
            _drop_pool()  # its pipes may still hold this render's messages
            if isinstance(err, (NotChunkable, EOFError, OSError)):
                raise NotChunkable(str(err)) from err
            raise
    finally:
        _pool_lock.release()
    return _join(pdfs, identifier)


def start() -> None:
    """Start the worker processes now rather than at the first long table (a server's warm-up)."""
    if workers() > 1:
        with _pool_lock:
            _get_pool(workers())


def _get_pool(processes: int) -> _Pool:
    global _pool
    if _pool is not None and (len(_pool.procs) != processes or not _pool.alive()):
        _drop_pool()
    if _pool is None:
        _pool = _Pool(processes)
    return _pool


@atexit.register
def _drop_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None


class _Senders:
    """One sending thread per worker: a worker sending a large PDF and this process sending it a large
    chunk at the same moment would otherwise both wait for the other to read (a full socket)."""

    def __init__(self, pipes):
        self.queues = [queue.SimpleQueue() for _ in pipes]
        self.threads = [threading.Thread(target=self._send, args=(pipe, q), daemon=True)
                        for pipe, q in zip(pipes, self.queues)]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def _send(pipe, messages):
        while (message := messages.get()) is not None:
            try:
                pipe.send(message)
            except OSError:
                return  # the worker is gone; the receiving side notices

    def send(self, worker: int, message: tuple) -> None:
        self.queues[worker].put(message)

    def close(self, wait: bool) -> None:
        for q in self.queues:
            q.put(None)
        for thread in self.threads if wait else ():
            thread.join()


def _run(pool: _Pool, split: Split, css: str | None) -> list[bytes]:
    chunks = plan(len(split.rows), len(pool.pipes))
    first_row = [max(0, start - SLACK_ROWS) if i else 0 for i, (start, _) in enumerate(chunks)]
    pdfs: list[bytes | None] = [None] * len(chunks)
    senders = _Senders(pool.pipes)
    owner = lambda k: k % len(pool.pipes)  # noqa: E731

    def prepare(k):
        if k < len(chunks):
            senders.send(owner(k), ("prepare", k, split.chunk(first_row[k], chunks[k][1]), css))

    done = False
    try:
        for k in range(len(pool.pipes)):
            prepare(k)
        senders.send(0, ("layout", 0, None, None, len(chunks) == 1))
        prepare(len(pool.pipes))
        while any(p is None for p in pdfs):
            for pipe in wait(pool.pipes):
                message = pipe.recv()
                if message[0] == "error":
                    raise NotChunkable(message[1])
                if message[0] == "pdf":
                    pdfs[message[1]] = message[2]
                    continue
                _, k, state = message  # ("resume", k, WeasyPrint's state at the dropped page), rows local to k
                nxt = k + 1
                row = first_row[k] + state["row"]
                fresh = None
                if row < first_row[nxt]:  # the chunk stopped before its successor's first row: rebuild it
                    first_row[nxt] = row
                    fresh = split.chunk(row, chunks[nxt][1])
                state["row"] = row - first_row[nxt]
                senders.send(owner(nxt), ("layout", nxt, state, fresh, nxt == len(chunks) - 1))
                prepare(nxt + len(pool.pipes))
        done = True
    finally:
        senders.close(wait=done)  # after a failure a sender may be stuck: the pool is dropped anyway
    return pdfs


def _join(pdfs: list[bytes], identifier: bytes) -> bytes:
    """One PDF: every chunk's pages in order, the first chunk's outline, metadata and language."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    readers = [PdfReader(io.BytesIO(data)) for data in pdfs]
    writer = PdfWriter()
    for reader in readers:
        writer.append(reader)
    writer.add_metadata(dict(readers[0].metadata))
    lang = readers[0].trailer["/Root"].get("/Lang")
    if lang:
        writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
