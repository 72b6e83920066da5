"""Model-step cost from token counts, with genai-prices' bundled price data.

The rule (docs/importing.md, *Estimated cost*): a ``model`` step with no cost of its own,
a model name (the step's ``model``, else the run's) and both ``input_tokens`` and
``output_tokens`` is priced by genai-prices (pydantic/genai-prices, the price table
pydantic-ai and Logfire use) at the prices in force when the step ran (its
``started_at``, else the run's time). Our ``input_tokens`` includes the cache counts, as
genai-prices' ``Usage.input_tokens`` does (``cache_read_tokens`` and
``cache_write_tokens`` are parts of it), so cache reads are priced at the cache-read
price and the rest of the input at the input price; nothing is counted twice. Model
names are tried as given, then, for ``provider/model`` names (``openai/gpt-oss-120b``,
``openrouter/anthropic/claude-sonnet-4-5``), with the prefix as the provider and then
without it. A model genai-prices does not know leaves the cost unknown.

An estimate beyond ``BIGINT_MAX`` micro-USD (what the cost column holds, ``limits``; about
9.2 trillion USD, e.g. 2**62 output tokens of gpt-4o) leaves the step's cost unknown, and
steps' costs (estimated and reported) adding up to more leave the job's cost unknown: both
are counted (``RunCosts.too_large``, ``sum_too_large``) and said once in the import's
summary, never sent to the database, which would refuse them in its own words.

Only the bundled data is used: nothing here calls genai-prices' update or network
functions, so an import prices the same offline and its result depends on the installed
genai-prices version only.

Speed: ``genai_prices.calc_price`` takes about 0.1 ms a call, too slow for an import of a
million steps. Once the price tier is fixed (a tier applies to all tokens once the
input tokens pass its start), its price is linear in the token counts of each kind, so
per model price and tier we ask genai-prices once for the cost of one call and of each
kind of token and then multiply (tests check the result equals ``calc_price``'s).
Model lookups are cached per name.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from sopwatch.domain.enums import StepKind
from sopwatch.ingest.limits import BIGINT_MAX
from sopwatch.ingest.records import RunRecord, StepRecord
from sopwatch.store.base import utcnow

if TYPE_CHECKING:
    from genai_prices.types import ModelInfo, ModelPrice

_MISSING: Any = object()
_MICROS = Decimal(1_000_000)
_PROBE = 1_000_000  # tokens per probe where the tier leaves the count free


@dataclass(frozen=True, slots=True)
class _Rates:
    """Micro-USD for one call and for one token of each kind, within one price tier."""

    call: Decimal
    input: Decimal  # an input token not read from or written to the cache
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal

    def micros(self, inputs: int, outputs: int, read: int, write: int) -> int:
        """The cost in whole micro-USD, rounded half to even."""
        total = (
            self.call
            + (inputs - read - write) * self.input
            + read * self.cache_read
            + write * self.cache_write
            + outputs * self.output
        )
        return int(total.to_integral_value(rounding=ROUND_HALF_EVEN))


@dataclass(slots=True)
class _Price:
    """One genai-prices ``ModelPrice`` (kept so its ``id`` stays valid), its tier starts
    (input tokens, ascending) and the rates found so far, by tier index."""

    price: ModelPrice
    starts: list[int]
    tiers: dict[int, _Rates] = field(default_factory=dict)


@dataclass(slots=True)
class RunCosts:
    """The cost to store for each of a run's steps, in step order (micro-USD, None when
    unknown); which were estimated; the model names of steps left unpriced because
    genai-prices does not know the model, and of steps whose estimate is too large to
    store (beyond ``BIGINT_MAX`` micro-USD; one entry per step each); and whether the
    steps' costs add up to more than that (the job's cost is then unknown)."""

    costs: list[int | None]
    estimated: list[bool]
    unknown: list[str]
    too_large: list[str] = field(default_factory=list)
    sum_too_large: bool = False

    @property
    def any_estimated(self) -> bool:
        """True when at least one step's cost was computed here."""
        return any(self.estimated)


class Pricer:
    """Prices model steps from tokens; caches the lookup per model name and the rates per
    model price and tier. One per import (not thread-safe)."""

    def __init__(self) -> None:
        self._models: dict[str, ModelInfo | None] = {}
        self._prices: dict[int, _Price] = {}

    def run_costs(self, rec: RunRecord) -> RunCosts | None:
        """The steps' costs with the missing ones estimated where the rule allows; None
        when no step needs an estimate (every step's own cost stands)."""
        steps = rec.steps
        if all(s.cost_micros is not None or s.kind is not StepKind.MODEL for s in steps):
            return None
        found = RunCosts([s.cost_micros for s in steps], [False] * len(steps), [])
        at = rec.started_at or rec.created_at or rec.finished_at
        for i, step in enumerate(steps):
            if step.cost_micros is not None or step.kind is not StepKind.MODEL:
                continue
            name = step.model or rec.model
            if not name or step.input_tokens is None or step.output_tokens is None:
                continue
            cost = self.cost_micros(name, step, step.started_at or at)
            if cost is None:
                found.unknown.append(name)
            elif cost > BIGINT_MAX:
                found.too_large.append(name)
            else:
                found.costs[i] = cost
                found.estimated[i] = True
        known = [cost for cost in found.costs if cost is not None]
        complete = all(
            c is not None or s.kind is not StepKind.MODEL
            for s, c in zip(steps, found.costs, strict=True)
        )
        found.sum_too_large = rec.cost_micros is None and complete and sum(known) > BIGINT_MAX
        return found

    def cost_micros(self, name: str, step: StepRecord, at: datetime | None) -> int | None:
        """The cost of ``step``'s tokens with model ``name`` at time ``at`` (UTC; None:
        now), in micro-USD; None when genai-prices does not know the model. The step must
        have ``input_tokens`` and ``output_tokens`` and pass ``limits.problems`` (cache
        counts within the input tokens)."""
        model = self._models.get(name, _MISSING)
        if model is _MISSING:
            model = self._models[name] = _find_model(name)
        if model is None:
            return None
        price = model.get_prices(at or utcnow())
        found = self._prices.get(id(price))
        if found is None:
            found = self._prices[id(price)] = _Price(price, _tier_starts(price))
        inputs = step.input_tokens or 0
        tier = bisect.bisect_left(found.starts, inputs)  # tiers whose start inputs exceed
        rates = found.tiers.get(tier)
        if rates is None:
            try:
                rates = found.tiers[tier] = _rates(price, _tier_inputs(found.starts, tier))
            except ValueError:  # price data genai-prices itself cannot use: treat as unknown
                self._models[name] = None
                return None
        read = step.cache_read_tokens or 0
        write = step.cache_write_tokens or 0
        return rates.micros(inputs, step.output_tokens or 0, read, write)


def _find_model(name: str) -> ModelInfo | None:
    """genai-prices' model for ``name``: as given, then ``provider/model`` split."""
    from genai_prices.data_snapshot import get_snapshot

    snapshot = get_snapshot()
    for ref, provider in _refs(name):
        try:
            return snapshot.find_provider_model(ref, None, provider, None)[1]
        except LookupError:
            continue
    return None


def _refs(name: str) -> list[tuple[str, str | None]]:
    """(model ref, provider id) pairs to try: ``a/b/c`` → (a/b/c, -), (b/c, a), then
    those of ``b/c``."""
    out: list[tuple[str, str | None]] = [(name, None)]
    if "/" in name:
        prefix, rest = name.split("/", 1)
        if prefix and rest:
            out.append((rest, prefix))
            out.extend(_refs(rest))
    return out


def _tier_starts(price: ModelPrice) -> list[int]:
    """The distinct input-token counts above which a tier's price applies, ascending."""
    from genai_prices.types import TieredPrices

    starts = {
        tier.start
        for value in vars(price).values()
        if isinstance(value, TieredPrices)
        for tier in value.tiers
    }
    return sorted(starts)


def _tier_inputs(starts: list[int], tier: int) -> int:
    """An input-token count in ``tier`` (the number of starts it exceeds)."""
    if tier < len(starts):
        return starts[tier]  # exceeds exactly the ``tier`` starts below it
    return starts[-1] + 1 if starts else _PROBE


def _rates(price: ModelPrice, inputs: int) -> _Rates:
    """Ask genai-prices for the cost of a call and of each kind of token in the tier of
    ``inputs`` input tokens (the count itself may be 0 when a tier starts at 0)."""

    def usd(**tokens: int) -> Decimal:
        from genai_prices.types import Usage

        total: Decimal = price.calc_price(Usage(**tokens))["total_price"]
        return total

    base = usd()
    with_input = usd(input_tokens=inputs)
    output = (usd(input_tokens=inputs, output_tokens=_PROBE) - with_input) / _PROBE
    rates = [Decimal(0), Decimal(0), Decimal(0)]
    if inputs:
        rates = [
            (with_input - base) / inputs,
            (usd(input_tokens=inputs, cache_read_tokens=inputs) - base) / inputs,
            (usd(input_tokens=inputs, cache_write_tokens=inputs) - base) / inputs,
        ]
    return _Rates(
        call=base * _MICROS,
        input=rates[0] * _MICROS,
        cache_read=rates[1] * _MICROS,
        cache_write=rates[2] * _MICROS,
        output=output * _MICROS,
    )
