# medkosh — `make demo` and `make test` work on a fresh machine: each creates .venv if needed.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS ?= dev,ray,croissant,federated
LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | sha256sum | cut -c1-12)
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Two workers (the machine has 2 cores); whole files go to one worker so module fixtures are shared.
PYTEST_ARGS ?= -n 2 --dist loadfile --durations=25

.PHONY: venv demo test test-fast lint typecheck bench system-deps clean reliability supply-chain

# Installed at the locked versions (the ones pip-audit checks): a new upstream release changes nothing
# until the lock is regenerated (see docs/reliability.md, supply chain).
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[$(EXTRAS)]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

demo: venv
	$(BIN)/medkosh demo

test: venv system-deps supply-chain
	@source scripts/test-env.sh && \
	$(BIN)/ruff check src tests $(wildcard benchmarks examples) && \
	$(BIN)/mypy src/medkosh && \
	$(BIN)/python -m pytest -m "not reliability" $(PYTEST_ARGS)

test-fast: venv
	@source scripts/test-env.sh && $(BIN)/python -m pytest -m "not browser and not slow and not reliability" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check src tests $(wildcard benchmarks examples)
	$(BIN)/mypy src/medkosh

typecheck: venv
	$(BIN)/mypy src/medkosh

# pip-audit over requirements/lock.txt: fails on a known vulnerability with a fix (docs/reliability.md, section 8).
supply-chain: venv
	@bash scripts/pip-audit.sh

# Long fault-injection (kill -9 loops) and load runs: tests marked `reliability`; .ci/run runs it after `make test`.
reliability: venv system-deps
	@source scripts/test-env.sh && $(BIN)/python -m pytest -m reliability -n 0 --durations=25

bench: venv
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS),bench]'
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf .medkosh .pytest_cache build src/*.egg-info
