# The README's commands. `make run` installs, builds the default index if missing and serves;
# `make test` installs and runs the tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast test-all lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/medcode ingest
	$(BIN)/medcode lookup E11.9
	$(BIN)/medcode serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/pytest

# no real model, Chroma server, language-model server or browser: under a minute
test-fast: install
	$(BIN)/pytest -n 2 -m 'not slow and not integration'

test-all: install
	$(BIN)/pytest -m ''

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench.ingest data
	MEDCODE_DATA_DIR=data $(BIN)/python -m bench.search

clean:
	rm -rf $(VENV) data
