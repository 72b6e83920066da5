# sopwatch — `make demo` runs the main job on bundled real data; `make test` runs everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOPWATCH := $(BIN)/sopwatch
DEMO := airline-support
# The demo writes to a database of its own, never to your default one.
DEMO_DB := $(CURDIR)/.demo/sopwatch-demo.db
DEMO_ENV := SOPWATCH_DATABASE_URL=sqlite:///$(DEMO_DB)

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Load the bundled runs into the demo's own SQLite database and print the daily check.
# tau-bench (GPT-4o, revision 1, no timestamps) is laid out over the week before the
# gpt-oss runs (revision 2, 2025-11-26), which the check then compares with it.
demo: $(VENV)/.installed
	@mkdir -p $(dir $(DEMO_DB))
	@echo "Demo database: $(DEMO_DB) (your default database is not touched)"
	$(DEMO_ENV) $(SOPWATCH) import data/tau-bench/gpt-4o-airline.json --assignment $(DEMO) --revision 1 \
	  --spread 7d --end 2025-11-25T00:00:00Z
	$(DEMO_ENV) $(SOPWATCH) import data/tau2-bench/gpt-oss-120b_*.json --assignment $(DEMO) --revision 2
	$(DEMO_ENV) $(SOPWATCH) import data/tau2-bench/claude-sonnet-4-5_*.json --assignment airline-claude
	$(DEMO_ENV) $(SOPWATCH) import data/tau2-bench/ironshell-*.json --assignment airline-gpt54
	$(DEMO_ENV) $(SOPWATCH) import data/tau2-bench/toolorchestra_*.json --assignment retail-toolorchestra
	$(DEMO_ENV) $(SOPWATCH) import data/trail/GAIA --assignment gaia
	$(DEMO_ENV) $(SOPWATCH) assignments set $(DEMO) --expected-runs-per-day 30
	$(DEMO_ENV) $(SOPWATCH) check $(DEMO) --seed 7 || [ $$? -eq 1 ]
	@echo "Look around: export $(DEMO_ENV); $(SOPWATCH) jobs $(DEMO) --needs-attention"

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy

unit: $(VENV)/.installed
	$(BIN)/pytest -q

test: lint typecheck unit

# import_and_check: the in-process figures; limits --quick: sopwatch against the plain-driver
# limit at 10,000 jobs (the full table: python bench/limits.py, about an hour; docs/performance.md)
bench: $(VENV)/.installed
	$(BIN)/python bench/import_and_check.py
	$(BIN)/python bench/limits.py --quick

clean:
	rm -rf $(VENV) .demo build *.egg-info .pytest_cache .mypy_cache .ruff_cache
