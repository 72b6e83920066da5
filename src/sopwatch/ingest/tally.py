"""What one import transaction did, added to the import's result only once it commits."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sopwatch.ingest.pricing import RunCosts
from sopwatch.ingest.records import RecordError, RunRecord
from sopwatch.ingest.rows import stored_status

if TYPE_CHECKING:
    from sopwatch.ingest.importer import ImportResult


@dataclass
class Tally:
    """Counts of one transaction (meanings as on ``ImportResult``); ``kept`` holds, per
    assignment name, the external ids this transaction stored or found stored."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    steps: int = 0
    laid_out: int = 0
    corrected: int = 0
    estimated: int = 0
    unknown_models: Counter[str] = field(default_factory=Counter)
    too_large_costs: Counter[str] = field(default_factory=Counter)
    too_large_sums: int = 0
    errors: list[RecordError] = field(default_factory=list)
    kept: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def written(self, rec: RunRecord, costs: RunCosts | None, steps: int) -> None:
        """Count a run stored (new or updated) with ``steps`` steps."""
        self.steps += steps
        if stored_status(rec) is not rec.status:
            self.corrected += 1
        if costs is not None:
            self.estimated += sum(costs.estimated)
            self.unknown_models.update(costs.unknown)
            self.too_large_costs.update(costs.too_large)
            self.too_large_sums += costs.sum_too_large

    def add_to(self, result: ImportResult) -> None:
        """Add these counts and errors to ``result``."""
        result.imported += self.imported
        result.updated += self.updated
        result.unchanged += self.unchanged
        result.steps += self.steps
        result.laid_out += self.laid_out
        result.corrected += self.corrected
        result.estimated_costs += self.estimated
        for name, count in self.unknown_models.items():
            result.unknown_models[name] = result.unknown_models.get(name, 0) + count
        for name, count in self.too_large_costs.items():
            result.too_large_costs[name] = result.too_large_costs.get(name, 0) + count
        result.too_large_sums += self.too_large_sums
        result.errors.extend(self.errors)
