# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint pytest jstest clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/motcua db upgrade
	$(BIN)/motcua demo
	$(BIN)/motcua serve --host $(HOST) --port $(PORT)

test: lint pytest jstest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: $(VENV)/.installed
	$(BIN)/pytest

jstest:
	@if command -v node >/dev/null; then node --test tests/js/; \
	elif [ "$$CI" = "true" ]; then echo "node is required in CI" >&2; exit 1; \
	else echo "node not found: JavaScript tests skipped"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
