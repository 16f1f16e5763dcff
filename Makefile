# The README's commands. `make run` installs, builds the default index if missing and serves;
# `make test` installs and runs the tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: install install-dev run test test-fast test-all lint bench clean

# what running needs; the test and benchmark tools (a llama.cpp build, Playwright, schemathesis)
# come with install-dev, which the test targets use
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# with no index, the server builds the default one in the background and answers as soon as its
# catalog and lexical index are written; the vectors join the search as they are stored
run: install
	$(BIN)/medcode serve --host 127.0.0.1 --port 8000

test: install-dev
	$(BIN)/pytest

# no real model, Chroma server, language-model server or browser: under a minute
test-fast: install-dev
	$(BIN)/pytest -n 2 -m 'not slow and not integration'

test-all: install-dev
	$(BIN)/pytest -m ''

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python -m bench.ingest data
	MEDCODE_DATA_DIR=data $(BIN)/python -m bench.search

clean:
	rm -rf $(VENV) data
