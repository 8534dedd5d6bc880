# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint jslint pytest jstest clean lock

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# `make run` installs what running needs, `make test` the dev tools too; each again whenever
# pyproject.toml changes. Editable, so both run the code of this folder as it is.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Biome (the JS formatter and linter), exactly as package-lock.json pins it; again when the lock changes.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# PORT=8123 serves there, and links and QR codes say so; HOST=0.0.0.0 for a phone on the network.
run: $(VENV)/.installed-run
	$(BIN)/motcua db upgrade
	$(BIN)/motcua demo
	$(BIN)/motcua serve --host $(HOST) --port $(PORT)

test: lint jslint pytest jstest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The PWA and its tests formatted and linted; `make run` never needs node.
jslint:
	@if command -v npm >/dev/null; then $(MAKE) -s --no-print-directory node_modules/.installed \
		&& node_modules/.bin/biome ci --error-on-warnings pwa tests/js; \
	elif [ "$$CI" = "true" ]; then echo "node and npm are required in CI" >&2; exit 1; \
	else echo "npm not found: JavaScript lint skipped"; fi

# One worker per core, a test file at a time per worker (tests of one file share its fixtures);
# the slowest 25 tests are listed at the end, to see where the time goes.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=25

jstest:
	@if command -v node >/dev/null; then node --test tests/js/; \
	elif [ "$$CI" = "true" ]; then echo "node is required in CI" >&2; exit 1; \
	else echo "node not found: JavaScript tests skipped"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules

# docker/requirements.lock: the exact versions the image installs. Made from a fresh virtualenv
# holding only what running needs (no dev tools); run it after changing pyproject.toml's
# dependencies (tests/test_docker_files.py fails when one is not pinned) and commit the result.
lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet --upgrade pip && \
	"$$tmp/bin/pip" install --quiet . && \
	{ echo "# Exact versions of motcua's runtime dependencies for docker/Dockerfile, Python 3.11 on Linux."; \
	  echo "# Made by \`make lock\` from a fresh virtualenv; do not edit by hand."; \
	  "$$tmp/bin/pip" freeze --exclude motcua; } > docker/requirements.lock
	@echo "docker/requirements.lock: $$(grep -c '==' docker/requirements.lock) pinned packages"

