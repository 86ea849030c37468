"""The HTTP goal: ``nysan serve`` on loopback with its default workers, a load generator at
concurrency 8 for a bounded time, one-page referral PDFs (256 different ones, posted in turn). wrk
(Debian's) when installed, else a Python client with one thread per connection. Loopback only; the
server is stopped by its pid."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.data import referral
from bench.memory import PeakSampler

HOST = "127.0.0.1"
PATH = "/api/v1/forms/referral/render?lang=kk&format=pdf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_ready(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("nysan serve did not become ready")


def _check_one(port: int, body: bytes) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("POST", PATH, body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    content = response.read()
    if response.status != 200 or not content.startswith(b"%PDF"):
        raise RuntimeError(f"render answered {response.status}")


def _wrk(port: int, bodies: list[bytes], concurrency: int, seconds: float, path: str = PATH) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "post.lua"
        for index, body in enumerate(bodies):
            (Path(folder) / f"body{index}.json").write_bytes(body)
        # Each request posts the next of the documents, in turn.
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"local bodies, n = {{}}, {len(bodies)}\n"
            f'for i = 1, n do local f = io.open("{folder}/body" .. (i - 1) .. ".json", "rb")\n'
            'bodies[i] = f:read("*a") f:close() end\n'
            "local i = 0\n"
            "request = function() i = i % n + 1 return wrk.format(nil, nil, nil, bodies[i]) end\n",
            encoding="utf-8",
        )
        out = subprocess.run(
            [
                "wrk",
                f"-t{min(2, concurrency)}",
                f"-c{concurrency}",
                f"-d{int(seconds)}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                str(script),
                f"http://{HOST}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return {
        "client": "wrk",
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": ms(50),
        "p99_ms": ms(99),
        "errors": errors,
    }


def _python_client(
    port: int, bodies: list[bytes], concurrency: int, seconds: float, path: str = PATH, expect: int = 200
) -> dict:
    """The load without wrk: a thread per connection; an answer other than ``expect`` is an error."""
    latencies, errors, lock = [], [0], threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        turn = offset
        while time.perf_counter() < stop_at:
            body = bodies[turn % len(bodies)]
            turn += concurrency
            start = time.perf_counter()
            try:
                conn.request("POST", path, body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == expect
            except OSError:
                ok = False
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
            with lock:
                latencies.append(time.perf_counter() - start)
                errors[0] += not ok

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(concurrency)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    latencies.sort()
    return {
        "client": "python threads",
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "errors": errors[0],
    }


def run(concurrency: int = 8, seconds: int = 30) -> dict:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "NYSAN_WORKERS"}  # the default workers
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_ready(port, time.time() + 60)
        # Referrals of different people, posted in turn: the server renders a new document each time.
        bodies = [json.dumps(referral(variant), ensure_ascii=False).encode("utf-8") for variant in range(1, 257)]
        for body in bodies[:4]:  # warm every worker
            _check_one(port, body)
        client = _wrk if shutil.which("wrk") else _python_client
        with PeakSampler(server.pid) as memory:
            result = client(port, bodies, concurrency, seconds)
        result.update(concurrency=concurrency, seconds=seconds, peak_mb=round(memory.peak_mb, 1))
        return result
    finally:
        server.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
