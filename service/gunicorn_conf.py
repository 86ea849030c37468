"""gunicorn settings for the Nysan service, used by ``nysan serve`` and usable on their own:

    gunicorn -c python:service.gunicorn_conf 'service.app:create_app()'

Values come from the service configuration (defaults, then ``NYSAN_*``). The workers are
``service.buffering.BufferingWorker`` (gunicorn's threads, each request read whole before a thread
runs it: slow clients cost a buffer, not a thread). Every worker loads the
app after the fork (no preload), so that Prometheus' multiprocess mode, switched on here before
any worker imports prometheus_client, adds up the workers' metrics on /metrics.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import sys
import tempfile

from forms.settings import SettingsError
from service.config import UnsafeBind, check_bind, is_loopback, load_config


def _accounts_exist(config: dict) -> bool:
    # Imported here: the app's modules (and prometheus_client) load after the metrics folder is set.
    from service.web.accounts import accounts_exist

    return accounts_exist(config)


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def _host_of(address: str) -> str:
    host = address.rsplit(":", 1)[0] if not address.startswith("unix:") else "localhost"
    return host.strip("[]")


def on_starting(server) -> None:
    """Refuse to start beyond loopback without API keys (whatever started gunicorn)."""
    config = load_config()
    for address in server.cfg.bind:
        try:
            host = _host_of(address)
            check_bind(host, config, accounts=not is_loopback(host) and _accounts_exist(config))
        except UnsafeBind as refusal:
            print(refusal.code, file=sys.stderr)
            sys.stderr.flush()
            os._exit(2)
    # A metrics folder made here is this server's own and removed at exit; an operator's own
    # PROMETHEUS_MULTIPROC_DIR is used as it is and left alone.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        server.nysan_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="nysan-metrics-")
    # Workers must sign sessions (the web forms' CSRF tokens) with one key: a per-worker random key
    # made every other form submit fail. Without a configured key, the master makes one for all.
    if not os.environ.get("NYSAN_SECRET_KEY"):
        os.environ["NYSAN_SECRET_KEY"] = secrets.token_hex(32)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    folder = getattr(server, "nysan_metrics_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def settings(
    config: dict | None = None, host: str | None = None, port: int | None = None, workers: int | None = None
) -> dict:
    """gunicorn's settings by name, for ``BaseApplication.load_config``."""
    config = load_config(config)
    # A render is awaited at most RENDER_TIMEOUT seconds; the worker answers 503 then, well before
    # gunicorn would consider it hung and kill it.
    timeout = max(30, math.ceil(float(config["RENDER_TIMEOUT"])) * 2 + 10)
    return {
        "bind": [bind_address(host or config["HOST"], int(port or config["PORT"]))],
        "workers": int(workers or config["WORKERS"]),
        "worker_class": "service.buffering.BufferingWorker",
        "threads": int(config["THREADS"]),
        # Connections beyond MAX_CONNECTIONS are answered 503 by the worker itself (service.buffering).
        "worker_connections": int(config["MAX_CONNECTIONS"]) + 1,
        "timeout": timeout,
        "graceful_timeout": timeout,
        "accesslog": None,  # the app logs one JSON line per request, without query values
        "errorlog": "-",
        "logger_class": "service.gunicorn_logging.Logger",  # request lines without queries, errors without values
        "loglevel": str(config["LOG_LEVEL"]).lower(),
        "proc_name": "nysan",
        # gunicorn >= 25's control socket is one path per user: two services (or a test server) would
        # contend for it, and nothing here uses it.
        "control_socket_disable": True,
        "on_starting": on_starting,
        "child_exit": child_exit,
        "on_exit": on_exit,
    }


# Read as a gunicorn config file (-c python:service.gunicorn_conf), these globals are the settings;
# gunicorn's own command-line options (--bind, --workers) override them.
try:
    _defaults = settings()
except SettingsError as bad:  # one line, not a traceback, whatever started gunicorn
    print(f"nysan: {bad}", file=sys.stderr)
    raise SystemExit(2) from None
bind = _defaults["bind"]
workers = _defaults["workers"]
worker_class = _defaults["worker_class"]
threads = _defaults["threads"]
worker_connections = _defaults["worker_connections"]
timeout = _defaults["timeout"]
graceful_timeout = _defaults["graceful_timeout"]
accesslog = None
errorlog = "-"
logger_class = _defaults["logger_class"]
loglevel = _defaults["loglevel"]
proc_name = "nysan"
control_socket_disable = True
