#!/usr/bin/env bash
# Mutation testing of the rule modules (mutmut): break each rule in many small ways and check
# that a test fails every time. Not part of CI: a full run takes hours on two cores. Run it
# before resolving a change to a rule, and publish the scores in docs/RELIABILITY.md.
#
#   ./scripts/mutation.sh           # run (or resume) and print the score of each module
#   ./scripts/mutation.sh --fresh   # forget the previous run's results first
#
# The modules and the tests are listed in pyproject.toml under [tool.mutmut]. A surviving
# mutant is a rule no test protects: `mutmut show NAME` prints it, `mutmut apply NAME`
# writes it into the tree to look at (git checkout undoes it). Kill it with a test, or list
# it in docs/RELIABILITY.md with why it is equivalent.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$PWD/.venv/bin:$PATH"
if [ "${1:-}" = "--fresh" ]; then
  rm -rf mutants
fi
# The tests run on SQLite; a PostgreSQL URL in the environment would be shared by the workers.
export TEST_DATABASE_URL=
mutmut run --max-children "${MUTATION_WORKERS:-2}"
mkdir -p test-artifacts
mutmut results --all true > test-artifacts/mutation-results.txt
python scripts/mutation_scores.py test-artifacts/mutation-results.txt
