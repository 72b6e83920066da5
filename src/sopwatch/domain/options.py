"""What a person may ask of a command, in one cheap module: the import formats, the Jobs
List's largest ``--limit`` and the daily check's defaults.

The layers that apply these values (``ingest.formats``, ``service.jobs``,
``service.check``) take them from here, and so does the command line, whose ``-h`` shows
them: importing this module costs nothing (no SQLAlchemy, no parsers, no statistics), so
``sopwatch --help`` stays fast (docs/performance.md "Start-up").
"""

from __future__ import annotations

from datetime import timedelta

#: The formats ``sopwatch import`` reads (``ingest.formats``), as ``--format`` names them.
FORMATS = ("tau", "tau2", "openinference", "jsonl")

#: Most jobs one Jobs List returns (our choice: more is a job for ``--json`` and a script).
MAX_LIMIT = 10_000

#: Defaults of the daily check's settings (docs/daily-check.md): the window's length, the
#: age at which a pending human request is stale, and how many times the same tool call
#: (arguments and result) in one job make a loop.
DEFAULT_WINDOW = timedelta(hours=24)
DEFAULT_STALE_AFTER = timedelta(hours=4)
DEFAULT_LOOP_THRESHOLD = 3
