# Innobridge 科创桥 — the two commands: `make run` (demo on SQLite) and `make test` (everything).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck security pytest install install-test messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"

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

## test: lint, type checks, security checks, and the suite on SQLite (and on PostgreSQL when
## DATABASE_URL is set)
test: install-test lint typecheck security pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy innobridge

## security: bandit finds no high-severity issue in innobridge/, and pip-audit no known
## vulnerability in the installed packages except those justified in security/pip-audit-ignore.txt
## (`ID  reason` per line). pip-audit asks PyPI, so it needs the network; packages it cannot look
## up are counted, not listed.
security:
	$(BIN)/bandit -q -c pyproject.toml --severity-level high -r innobridge
	@ignores=$$(sed -e 's/#.*//' security/pip-audit-ignore.txt | awk 'NF { printf " --ignore-vuln %s", $$1 }'); \
	out=$$(mktemp); \
	echo "$(BIN)/pip-audit --skip-editable$$ignores"; \
	$(BIN)/pip-audit --skip-editable --progress-spinner off $$ignores >$$out 2>&1; rc=$$?; \
	awk '/Skip Reason$$/ { header = 1; next } header == 1 { header = 0; next } \
	     /could not be audited/ { n++; next } /marked as editable/ { next } { print } \
	     END { if (n) printf "pip-audit: %d 个包无法在 PyPI 查询，未审计 · %d packages could not be looked up\n", n, n }' $$out; \
	rm -f $$out; exit $$rc

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
