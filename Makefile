# Innobridge 科创桥 — the two commands: `make run` (demo on SQLite) and `make test` (everything).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest install install-test messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: install, migrate, load the demo data once, and serve http://127.0.0.1:8000
run: install
	$(BIN)/innobridge migrate --noinput -v0
	$(BIN)/innobridge demo --if-empty
	$(BIN)/innobridge serve --bind $(HOST):$(PORT)

## test: lint, type checks, and the suite on SQLite (and on PostgreSQL when DATABASE_URL is set)
test: install-test lint typecheck pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy innobridge

pytest:
	@tmp=$$(mktemp -d); \
	echo "== pytest on SQLite"; \
	env -u DATABASE_URL INNOBRIDGE_DATA_DIR=$$tmp $(BIN)/pytest || exit $$?; \
	if [ -n "$$DATABASE_URL" ]; then \
	  echo "== pytest on PostgreSQL ($$DATABASE_URL)"; \
	  INNOBRIDGE_DATA_DIR=$$tmp $(BIN)/pytest || exit $$?; \
	fi; \
	rm -rf $$tmp

## messages: refresh the English catalogue after changing visible strings
messages: install-test
	cd innobridge && ../$(BIN)/innobridge makemessages -l en --no-obsolete && ../$(BIN)/innobridge compilemessages -l en

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
