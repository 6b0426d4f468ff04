# Community Desk: `make run` serves the demo desk, `make test` runs every test. Both bootstrap .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve test test-sqlite test-postgres lint fmt typecheck clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)  ## migrate, load demo data, serve on http://127.0.0.1:8000
	$(BIN)/desk run $(ARGS)

serve: $(STAMP)
	$(BIN)/desk serve

test: $(STAMP)  ## SQLite suite, then the PostgreSQL suite when a server is reachable
	$(BIN)/python scripts/run_tests.py $(ARGS)

test-sqlite: $(STAMP)
	$(BIN)/python scripts/run_tests.py --only sqlite $(ARGS)

test-postgres: $(STAMP)
	$(BIN)/python scripts/run_tests.py --only postgres $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format src tests scripts bench
	$(BIN)/ruff check --fix src tests scripts bench

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
