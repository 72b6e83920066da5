"""Fuzz benchmark: import generated and mutated run files of every format; count crashes.

For each format (tau, tau2, openinference, jsonl) draws ``--count`` inputs (default 10,000)
from ``--seed`` with ``tests/ingest/fuzz_inputs.py`` (``draw_input``: a small valid file,
usually mutated in its JSON tree and/or its bytes) and imports them through
``sopwatch.ingest.importer.import_paths`` with the format named (``--detect`` lets the
importer detect it instead). Prints per format: inputs, files, records read (every record
found, readable or not: ``ImportResult.read``), records stored, record errors (errors
that refused records), file errors (errors about a whole file or document, which refused
no record: ``RecordError.records == 0``), crashes (exceptions escaping ``import_paths``)
and seconds;
exit status 0 whatever it finds (it prints figures, it never passes or fails).

Batching, to keep the run time to a few minutes on 2 cores: the inputs are imported
``--chunk`` (default 100) at a time, one ``import_paths`` call per chunk into an assignment
of its own, so ids of different chunks never meet:

- jsonl: the chunk's inputs are written one after another into one file (each ends its
  last line; JSONL lines stand alone, so an input means the same there);
- tau, tau2: the runs of the chunk's inputs whose mutations all lie inside one run (and
  whose bytes were not mutated) are merged into one file (tau: one list; tau2: one
  ``simulations`` list); every other input is a file of its own;
- openinference: one run per file, so one file per input (a chunk is 100 files).

When a chunk's import raises, each of its inputs is imported again alone (a fresh
assignment each) to find the ones that crash; the first ``--keep-crashes`` (default 5) of
each format are saved under ``bench/out/`` (git-ignored): ``<format>-<input>.json[l]`` with
the input's bytes (``<input>`` is its 0-based number in the draw) and ``<format>-<input>.txt``
with its mutations and the traceback; the end of the output names each with its exception.

Before fuzzing, a valid file of each format is imported into assignment ``keep-<run>``; at
the end its stored rows must be unchanged (printed as ``keep unchanged: yes``). With
``--detect``, a JSONL chunk whose first 20 lines are all unreadable is one file error.

    python bench/fuzz_import.py [--seed 0] [--count 10000] [--chunk 100]
                                [--formats tau,tau2,openinference,jsonl] [--detect]
                                [--database-url URL]

``--database-url`` defaults to a temporary SQLite file (removed afterwards).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from sopwatch.ingest.importer import ImportOptions, ImportResult, import_paths
from sopwatch.store.base import utcnow
from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import upgrade
from sopwatch.store.teams import ensure_team

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the generators live with the tests they serve
from tests.ingest.fuzz_inputs import (  # noqa: E402
    FORMATS,
    FuzzInput,
    draw_input,
    merge_documents,
    snapshot,
)

OUT = ROOT / "bench" / "out"


@dataclass
class Tally:
    """One format's figures."""

    inputs: int = 0
    files: int = 0
    read: int = 0
    stored: int = 0
    record_errors: int = 0
    file_errors: int = 0
    crashes: int = 0
    seconds: float = 0.0
    saved: list[str] = field(default_factory=list)

    def add(self, result: ImportResult) -> None:
        """Count one import's result; an error that refused no record it could count is
        about a whole file (or document)."""
        self.files += result.files
        self.read += result.read
        self.stored += result.imported + result.updated
        self.file_errors += result.file_errors
        self.record_errors += len(result.errors) - result.file_errors


class Bench:
    """Imports chunks of inputs of one format into a database and tallies what happens."""

    def __init__(self, engine: sa.Engine, team_id: int, work: Path, args: argparse.Namespace):
        self.engine = engine
        self.team_id = team_id
        self.work = work
        self.detect = args.detect
        self.keep_crashes = args.keep_crashes
        self.run = uuid.uuid4().hex[:8]  # assignment names never meet an earlier run's
        self.keep = f"keep-{self.run}"

    def options(self, fmt: str, assignment: str) -> ImportOptions:
        """Import options for one chunk (or one input) into ``assignment``."""
        return ImportOptions(
            team_id=self.team_id,
            assignment=assignment,
            fmt=None if self.detect else fmt,
            spread=timedelta(days=7),
            end=utcnow(),
        )

    def chunk(self, fmt: str, start: int, inputs: list[FuzzInput], tally: Tally) -> None:
        """Import ``inputs`` (numbered from ``start``) in one call; isolate any crash."""
        folder = self.work / f"{fmt}-{start}"
        folder.mkdir()
        paths = _write_chunk(fmt, folder, inputs)
        name = f"fuzz-{self.run}-{fmt}-{start}"
        try:
            result = import_paths(self.engine, paths, self.options(fmt, name))
        except Exception:
            result = None
        if result is None:  # isolated outside the handler: its tracebacks stand alone
            self.isolate(fmt, start, inputs, tally, folder)
        else:
            tally.add(result)
        tally.inputs += len(inputs)

    def isolate(
        self, fmt: str, start: int, inputs: list[FuzzInput], tally: Tally, folder: Path
    ) -> None:
        """Import each input of a crashed chunk alone; record the ones that crash."""
        found = 0
        for offset, item in enumerate(inputs):
            index = start + offset
            path = folder / f"alone-{index}-gpt-4o-airline{item.suffix}"
            path.write_bytes(item.data)
            name = f"fuzz-{self.run}-{fmt}-{start}-{index}"
            try:
                result = import_paths(self.engine, [path], self.options(fmt, name))
            except Exception:
                found += 1
                self.crash(fmt, str(index), item.data, item.suffix, item.mutations, tally)
            else:
                tally.add(result)
        if not found:
            merged = b"".join(p.read_bytes() for p in sorted(folder.iterdir()))
            mutations = ("the chunk crashed, none of its inputs alone",)
            self.crash(fmt, f"chunk-{start}", merged, ".txt", mutations, tally)

    def crash(
        self,
        fmt: str,
        label: str,
        data: bytes,
        suffix: str,
        mutations: tuple[str, ...],
        tally: Tally,
    ) -> None:
        """Count a crash; save the input and the traceback for the first few."""
        tally.crashes += 1
        if len(tally.saved) >= self.keep_crashes:
            return
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"{fmt}-{label}{suffix}").write_bytes(data)
        report = "mutations:\n" + "".join(f"  {m}\n" for m in mutations) + traceback.format_exc()
        (OUT / f"{fmt}-{label}.txt").write_text(report, encoding="utf-8", errors="backslashreplace")
        last = traceback.format_exc().strip().splitlines()[-1]
        tally.saved.append(f"bench/out/{fmt}-{label}{suffix}: {last}")


def _write_chunk(fmt: str, folder: Path, inputs: list[FuzzInput]) -> list[Path]:
    """The chunk's files: merged where the format allows, else one per input."""
    paths: list[Path] = []
    if fmt == "jsonl":
        path = folder / "chunk.jsonl"
        path.write_bytes(merge_documents(fmt, inputs))
        return [path]
    single = inputs
    if fmt in ("tau", "tau2"):
        merged = [item for item in inputs if item.batchable]
        single = [item for item in inputs if not item.batchable]
        if merged:
            path = folder / "merged-gpt-4o-airline.json"
            path.write_bytes(merge_documents(fmt, merged))
            paths.append(path)
    for index, item in enumerate(single):
        path = folder / f"{index:04d}-gpt-4o-airline{item.suffix}"
        path.write_bytes(item.data)
        paths.append(path)
    return paths


def _keep(bench: Bench, work: Path) -> list[tuple[object, ...]]:
    """Import one valid file of each format into ``keep-<run>``; return its stored rows."""
    rng = random.Random("keep")
    paths = []
    for fmt in FORMATS:
        item = draw_input(fmt, rng, mutate=False)
        path = work / f"keep-{fmt}-gpt-4o-airline{item.suffix}"
        path.write_bytes(item.data)
        paths.append(path)
    options = replace(bench.options("jsonl", bench.keep), fmt=None)  # detected per file
    result = import_paths(bench.engine, paths, options)
    if result.errors or not result.imported:  # a generator bug: say so, carry on
        print(f"the valid keep files did not import cleanly: {[str(e) for e in result.errors]}")
    return snapshot(bench.engine, bench.team_id, bench.keep)


def main() -> None:
    """Draw, import and tally every format; print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=10_000, help="inputs per format")
    parser.add_argument("--chunk", type=int, default=100, help="inputs per import_paths call")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--detect", action="store_true", help="let the importer detect formats")
    parser.add_argument("--keep-crashes", type=int, default=5, help="crashes saved per format")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work / 'fuzz.db'}"
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            team = ensure_team(conn, "fuzz-bench")
        bench = Bench(engine, team.id, work, args)
        before = _keep(bench, work)
        print(f"fuzz import: seed {args.seed}, {args.count:,} inputs per format, "
              f"chunks of {args.chunk}, {'detected' if args.detect else 'named'} format, "
              f"{engine.url.get_backend_name()}")  # fmt: skip
        header = ("format", "inputs", "files", "read", "stored", "rec.err", "file.err", "crashes")
        print(" ".join(f"{h:>13}" if i else f"{h:<13}" for i, h in enumerate(header)), "seconds")
        tallies: dict[str, Tally] = {}
        for fmt in formats:
            tally = tallies[fmt] = Tally()
            rng = random.Random(f"{args.seed}-{fmt}")
            started = time.perf_counter()
            for start in range(0, args.count, args.chunk):
                inputs = [draw_input(fmt, rng) for _ in range(min(args.chunk, args.count - start))]
                bench.chunk(fmt, start, inputs, tally)
            tally.seconds = time.perf_counter() - started
            figures = (tally.inputs, tally.files, tally.read, tally.stored, tally.record_errors,
                       tally.file_errors, tally.crashes)  # fmt: skip
            print(f"{fmt:<13}", " ".join(f"{n:>13,}" for n in figures), f"{tally.seconds:7.1f}")
        inputs = sum(t.inputs for t in tallies.values())
        crashes = sum(t.crashes for t in tallies.values())
        seconds = sum(t.seconds for t in tallies.values())
        print(f"{'all':<13} {inputs:>13,}{' ' * 70}{crashes:>13,} {seconds:7.1f}")
        after = snapshot(engine, team.id, bench.keep)
        print(f"keep unchanged: {'yes' if after == before else 'NO: stored data changed'}")
        for tally in tallies.values():
            for saved in tally.saved:
                print(f"crash (input and traceback saved): {saved}")
        engine.dispose()


if __name__ == "__main__":
    main()
