"""``flask hub serve``: one host's web server, its index follower and (embedded queue) a worker.

The development and single-host way to run the Hub (``make run``). Production runs the same
three parts as separate processes: gunicorn, ``flask hub follow`` and ``flask hub worker``
(README, "Production").
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from hub.jobs import runner
from hub.search import follower as index_follower

log = logging.getLogger(__name__)


def serve(app: Flask, host: str, port: int, *, worker: bool, say: Callable[[str], None]) -> None:
    """Serve HTTP on ``host:port`` until SIGINT or SIGTERM, then stop every part cleanly."""
    server = make_server(host, port, app, threaded=True)
    follower = index_follower.start(app)
    consumer = runner.start_in_process(app) if worker else None
    workers = _worker_words(app, consumer)
    say(f"Serving the Hub on http://{host}:{server.port}/ (job worker: {workers})")

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if consumer is not None:
            consumer.stop(graceful=True)
        follower.stop()
        follower.join()
        say("Stopped.")


def _worker_words(app: Flask, consumer: Any) -> str:
    if consumer is not None:
        return f"{consumer.workers} thread(s) in this process"
    if app.extensions["hub_jobs"].huey.immediate:
        return "none, jobs run as they are queued"
    return "none here; run `flask --app wsgi hub worker`"
