#!/usr/bin/env python3
"""Print the mutation score of each rule module from ``mutmut results --all true``.

    python scripts/mutation_scores.py test-artifacts/mutation-results.txt

A mutant is killed when a test failed (or it timed out); it survived when every test passed.
The score is killed ÷ (killed + survived); mutants no test reached are counted apart, as
they say a function has no test at all. The table is Markdown, as docs/RELIABILITY.md
shows it; the surviving mutants follow, by name.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

LINE = re.compile(r"^\s*(?P<name>[\w.]+)__mutmut_\d+: (?P<status>.+?)\s*$")
KILLED = {"killed", "timeout"}


def module_of(name: str) -> str:
    """``tracker.tasks.clarity.x__task_problems`` → ``tracker/tasks/clarity.py``."""
    path = name.rsplit(".", 1)[0]
    return path.replace(".", "/") + ".py"


def main(path: str) -> None:
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if not match:
            continue
        module = module_of(match["name"])
        status = match["status"]
        counts[module][status] += 1
        if status == "survived":
            survivors[module].append(line.split(":")[0].strip())
    print("| module | mutants | killed | survived | no test reached | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for module in sorted(counts):
        tally = counts[module]
        killed = sum(tally[s] for s in KILLED)
        survived = tally["survived"]
        untested = tally["no tests"]
        total = sum(tally.values())
        score = f"{100 * killed / (killed + survived):.1f} %" if killed + survived else "—"
        print(f"| `{module}` | {total} | {killed} | {survived} | {untested} | {score} |")
    for module in sorted(survivors):
        print(f"\nSurvivors in {module}:")
        for name in survivors[module]:
            print(f"  {name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
