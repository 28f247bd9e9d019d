# The two commands: `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the modules setup.py compiles with mypyc (tapline/native.py runs their source if stale)
NATIVE := $(VENV)/.native
NATIVE_SOURCES := setup.py $(wildcard src/tapline/engine/*.py src/tapline/simulator/*.py)
# the front end, built by esbuild into src/tapline/static/ (not committed)
WEB := node_modules/.tapline-web
WEB_SOURCES := package.json tsconfig.json $(shell find frontend -name '*.ts' -o -name '*.mjs' -o -name '*.json')

.PHONY: demo test setup native web lint typecheck browser clean coverage

$(STAMP): pyproject.toml requirements.lock package.json package-lock.json
	@test -x $(BIN)/python || scripts/step "Creating the Python environment in $(VENV)" $(PYTHON) -m venv $(VENV)
	@scripts/step "Upgrading pip" $(BIN)/python -m pip install -q --upgrade pip
	@scripts/step "Installing tapline and its Python packages, compiling the engine with mypyc (1-4 min)" \
	  $(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@scripts/step "Installing the front end's npm packages" npm ci --no-audit --no-fund
	@touch $(STAMP) $(NATIVE)

# rebuild the compiled engine after its sources change (pip install built it first)
$(NATIVE): $(STAMP) $(NATIVE_SOURCES)
	@scripts/step "Compiling the changed engine with mypyc" $(BIN)/python setup.py -q build_ext --inplace
	@touch $(NATIVE)

native: $(NATIVE)

$(WEB): $(STAMP) $(WEB_SOURCES)
	@scripts/step "Building the widget's SDK and the desk with esbuild" npm run --silent build
	@touch $(WEB)

web: $(WEB)

setup: $(STAMP) $(NATIVE) $(WEB)

# Browser tests need Debian's Chromium, and the notification-click tests a private D-Bus with
# a notification server run by Debian's Python; install them when we may.
browser:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/dbus-daemon ] || missing="$$missing dbus-daemon"; \
	/usr/bin/python3 -c "import dbus, gi" 2>/dev/null || missing="$$missing python3-dbus python3-gi"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "Missing for the browser tests:$$missing (sudo apt-get install -y$$missing)"; exit 1; fi; \
	fi

# `make demo BUSY=1`: with simulated specialists and customers (docs/subsystems/demo.md)
demo: setup
	$(BIN)/tapline demo$(if $(BUSY), --busy)

lint: setup
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	npm run --silent typecheck
	npm run --silent lint

test: setup browser lint
	npm test --silent
	$(BIN)/pytest
	# the engine and simulator again from their Python source, as without a build
	TAPLINE_INTERPRETED=1 $(BIN)/pytest -q tests/engine tests/simulator tests/test_native.py

# Not part of `make test` (which it would slow): the suite but the browser tests, under
# coverage.py, from source (coverage cannot see into mypyc's builds), then the report.
coverage: setup
	rm -rf build/coverage && mkdir -p build/coverage
	TAPLINE_INTERPRETED=1 $(BIN)/coverage run -m pytest -q --ignore=tests/browser
	$(BIN)/coverage combine -q
	$(BIN)/coverage report

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache build
	find src -name '*.so' -delete
