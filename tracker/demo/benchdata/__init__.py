"""``tracker bench-data``: a city-sized dataset for benchmarks, written in bulk.

The organisation (units, people, fields) goes through the services like the demo's. The
tasks and everything recorded about them — five years of a city's work — are planned here
and written in bulk (``tracker/demo/bulk.py``), because the services' row-at-a-time care
would take hours for a million tasks. The plan keeps the application's rules, so the pages,
the reports and the sweep read the dataset as if the city had used the tracker all along:

- every issued task is clear on its 5 rõ (document, one lead unit, one accountable person of
  that unit, a start and a due date on working days, steps, outcome), sub-tasks are due no
  later than their parent and led by a unit directly below it, recurring reports have one
  occurrence per period;
- the proportions are a city's: about one task in ten open, one open task in six overdue,
  most of the others done on time, a few withdrawn; extensions, returned results, progress
  reports with their dates;
- the reminders, warnings, urgings and escalation records are exactly those the daily sweep
  would have created up to yesterday under the default rules (a test holds the sweep to it),
  with their notifications (the last 60 days) and audit events;
- the audit trail is one hash chain in time order that ``tracker audit verify`` accepts.

Everything random is drawn from generators seeded with ``--seed`` (one for the
organisation, one for the plan), in a fixed order: the same seed and the same reference day
give the same rows.

The package's modules, in the order a load uses them: ``parameters`` (the scale, the
reference day), ``workdays``, ``organisation``, ``tables`` and ``audit_chain`` (what is
written), ``state`` (what the parts share), ``documents`` and ``series``, ``planning`` (each
task's fate), ``lives`` and ``subtasks`` (each task's dates), ``histories`` (its rows and
events), ``notices`` (what the sweep sent), ``generator`` (the chunked run) and ``loader``
(``load_scale``).
"""

from tracker.demo.benchdata.loader import LoadReport, load_scale
from tracker.demo.benchdata.parameters import PASSWORD, Scale

__all__ = ["PASSWORD", "LoadReport", "Scale", "load_scale"]
