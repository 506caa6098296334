# redgrid 红色网格 — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test install install-dev serve worker lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)
install-dev: $(DEVSTAMP)

## make demo: install, migrate the SQLite database under var/, load the demo street, run the task worker and
## serve http://127.0.0.1:$(PORT) (PORT overrides).
demo: export REDGRID_ENV := demo
demo: $(STAMP)
	$(BIN)/redgrid migrate --noinput -v0
	$(BIN)/redgrid demo_data
	@echo "后台任务进程已启动（日志 var/worker.log）；访问 http://127.0.0.1:$(PORT)"
	@$(BIN)/redgrid run_worker > var/worker.log 2>&1 & echo $$! > var/worker.pid; \
	trap 'kill $$(cat var/worker.pid) 2>/dev/null' EXIT INT TERM; \
	$(BIN)/redgrid runserver 127.0.0.1:$(PORT) --noreload

## make test: the whole suite (unit, API, browser) on SQLite, or on PostgreSQL with DATABASE_URL=postgres://…
test: export REDGRID_ENV := test
test: $(DEVSTAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q -p no:randomly $(PYTEST_ARGS)

lint: $(DEVSTAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(DEVSTAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf var/redgrid.sqlite3* var/test_redgrid.sqlite3* var/media
