"""Real servers for the deployment and fault tests: `nysan serve` replicas and Debian's nginx, each
started in a session of its own and stopped (or killed) by its own process group, never by name."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from support.cases import ROOT

HOST = "127.0.0.1"
DEPLOY = ROOT / "deploy"


def free_port() -> int:
    from support.register_db import free_port as free  # imported late: pytest loads it as a plugin first

    return free()


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file (systemd's EnvironmentFile format, as deploy/ writes them)."""
    pairs = (
        line.split("=", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


def request(
    port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None, timeout: float = 60
) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one HTTP request on loopback."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, payload, {"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_ready(port: int, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            if request(port, "GET", "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not become ready")


class Replica:
    """One `nysan serve` (gunicorn master and workers) with the given NYSAN_* settings."""

    def __init__(self, settings: dict[str, str], port: int | None = None, log: Path | None = None):
        self.settings, self.port, self.log = dict(settings), port or free_port(), log
        self.process: subprocess.Popen | None = None

    def start(self) -> Replica:
        env = {
            **os.environ,
            **self.settings,
            "NYSAN_PORT": str(self.port),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
        wait_ready(self.port, self.process)
        return self

    def signal(self, number: int) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, number)

    def kill(self) -> None:
        """kill -9 of the whole server: master and workers at once."""
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


class Nginx:
    """Debian's nginx serving deploy/nginx.conf as Debian's own nginx.conf includes a site: the
    site's listening port, its replicas' ports and its log path changed, nothing else."""

    def __init__(self, prefix: Path, replica_ports: list[int]):
        self.prefix, self.port = prefix, free_port()
        site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
        site = re.sub(r"listen 8080;", f"listen {HOST}:{self.port};", site)
        for default, port in zip((8001, 8002), replica_ports):
            site = site.replace(f"server 127.0.0.1:{default} ", f"server 127.0.0.1:{port} ")
        self.access_log = prefix / "access.log"
        site = site.replace("/var/log/nginx/nysan.access.log", str(self.access_log))
        (prefix / "nysan.conf").write_text(site, encoding="utf-8")
        # What /etc/nginx/nginx.conf gives a site: events and http, here with the prefix's paths.
        (prefix / "nginx.conf").write_text(
            f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nevents {{ worker_connections 512; }}\n"
            f"http {{\n  client_body_temp_path {prefix}/body;\n  proxy_temp_path {prefix}/proxy;\n"
            f"  include {prefix}/nysan.conf;\n}}\n",
            encoding="utf-8",
        )
        prefix.chmod(0o755)  # nginx's workers (www-data or nobody) use the temporary folders
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-g", "daemon off;"],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()}")
            try:
                if request(self.port, "GET", "/readyz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("nginx did not answer")

    def upstreams(self) -> set[str]:
        """The replicas nginx sent requests to, from its access log."""
        return set(re.findall(r" (127\.0\.0\.1:\d+) \d{3}$", self.access_log.read_text(), re.M))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: finish the requests under way
            self.process.wait(timeout=30)


def issue(port: int, body: dict, headers: dict | None = None) -> tuple[int, dict, dict]:
    """POST /api/v1/documents: (status, headers, JSON body)."""
    status, answer_headers, content = request(port, "POST", "/api/v1/documents", body, headers)
    return status, answer_headers, json.loads(content) if content else {}


def all_documents(port: int, headers: dict | None = None) -> list[dict]:
    """Every document of the register, through the cursor list."""
    found, cursor = [], None
    while True:
        path = "/api/v1/documents?limit=200" + (f"&cursor={cursor}" if cursor else "")
        status, _, content = request(port, "GET", path, headers=headers)
        assert status == 200, content
        page = json.loads(content)
        found += page["documents"]
        cursor = page["next"]
        if not cursor:
            return found
