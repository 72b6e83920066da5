"""Rewrite the golden snapshots: ``python -m tests.golden.regenerate [NAME ...]``.

Runs every golden case (or those named, e.g. ``demo trail scenario-stale_approval``) on
a fresh SQLite file per case and writes ``tests/golden/snapshots/<name>.json``. Run it
only when a change to the check's findings is meant; ``git diff tests/golden/snapshots``
then shows exactly what changed, for the commit message to explain. The test
(``tests/golden/test_golden.py``) checks the same snapshots on PostgreSQL as well.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

from sopwatch.service.store import Store, open_store
from sopwatch.settings import Settings
from tests.golden.cases import MakeStore, golden_cases, write_snapshot


def stores(database_url: str) -> MakeStore:
    """Stores on one database, each for a team of its own (teams never see each other's
    rows), so one database serves every store a case opens."""
    teams = itertools.count()

    def make() -> Store:
        return open_store(Settings(database_url=database_url, team=f"golden-{next(teams)}"))

    return make


def main(names: list[str]) -> int:
    """Regenerate the named cases (all when none is named); 2 for an unknown name."""
    cases = golden_cases()
    known = {case.name for case in cases}
    unknown = sorted(set(names) - known)
    if unknown:
        print(f"unknown golden cases: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for case in cases:
        if names and case.name not in names:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            found = case.run(stores(f"sqlite:///{folder / 'golden.db'}"), folder)
        write_snapshot(case, found)
        print(f"wrote {case.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
