"""Pause points: named places in the scheduler's jobs where a fault test can stop a process.

The reliability tests kill ``tracker sweep``, ``tracker deliver`` and ``tracker scheduler``
with SIGKILL at exact points (between the SMTP server's "250 OK" and the commit that
records it, say). A point does nothing unless the environment asks for it:

- ``TRACKER_FAULT_PAUSE=name`` (or ``name:n`` for the n-th time the point is reached;
  several, comma-separated) names the point;
- ``TRACKER_FAULT_FILE=path``: when the process reaches the point it writes its name and
  its pid into that file, then waits while the file exists (the test kills it, or deletes
  the file to let it go on; after ``TRACKER_FAULT_WAIT`` seconds, 120 by default, it goes
  on by itself).

Both variables are ignored when ``TRACKER_ENV=production``: a production process never
stops here, whatever its environment says.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path

logger = logging.getLogger(__name__)

_reached: Counter = Counter()


def _wanted(name: str) -> int | None:
    """Return at which passage the point should pause (None: never)."""
    for item in os.environ.get("TRACKER_FAULT_PAUSE", "").split(","):
        point, _, nth = item.strip().partition(":")
        if point == name:
            return int(nth or 1)
    return None


def pause_point(name: str) -> None:
    """Stop here if a fault test asked for this point (see the module's docstring)."""
    if "TRACKER_FAULT_PAUSE" not in os.environ or os.environ.get("TRACKER_ENV") == "production":
        return
    nth = _wanted(name)
    if nth is None:
        return
    _reached[name] += 1
    if _reached[name] != nth:
        return
    signal_file = Path(os.environ["TRACKER_FAULT_FILE"])
    written = signal_file.with_name(signal_file.name + ".tmp")
    written.write_text(f"{name} {os.getpid()}\n")
    os.replace(written, signal_file)  # the test sees the whole line or nothing
    logger.warning("Fault pause point %s reached (pid %s)", name, os.getpid())
    deadline = time.monotonic() + float(os.environ.get("TRACKER_FAULT_WAIT", "120"))
    while signal_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
