"""Time one sweep as of a moment in its own process, and print the figures as JSON.

    DATABASE_URL=… python bench/sweep.py 2026-12-01T08:05

The application is built before the clock starts: what is measured is the sweep and its
commit. Peak memory is the process's (ru_maxrss), so that of the app before the sweep is
printed too: the difference is what the sweep itself needed.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time
from datetime import datetime

from tracker import create_app
from tracker.clock import local_zone
from tracker.extensions import db
from tracker.reminders.sweep import run_sweep


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    logging.disable(logging.INFO)
    app = create_app()
    with app.app_context():
        moment = datetime.fromisoformat(sys.argv[1])
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=local_zone())
        db.session.execute(db.select(1))  # connect before the clock starts
        before = _peak_mb()
        started = time.perf_counter()
        result = run_sweep(moment)
        db.session.commit()
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "created": dict(result.created),
                "peak_rss_mb": round(_peak_mb(), 1),
                "rss_before_mb": round(before, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
