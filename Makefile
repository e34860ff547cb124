# Reel: two commands on a fresh machine — `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_JS := web/node_modules/.installed
BUILT := src/reel/_built/reel.js
JS_SRC := $(shell find web/src -name '*.ts' 2>/dev/null) web/build.mjs

.PHONY: demo test lint bench build install chromium bench-tools lock clean

demo: install build chromium
	$(BIN)/reel demo

test: install build chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	cd web && npx tsc --noEmit -p .
	$(BIN)/pytest

lint: install build
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	cd web && npx tsc --noEmit -p .

bench: install build chromium bench-tools
	$(BIN)/python -m bench

install: $(STAMP_PY) $(STAMP_JS)

$(STAMP_PY): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(STAMP_JS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: $(BUILT)

$(BUILT): $(STAMP_JS) $(JS_SRC)
	cd web && node build.mjs

# Debian packages: Chromium drives the end-to-end tests and the demo's scripted visit (Playwright never
# downloads a browser); the fonts and libraries are what Qt (the mobile SDK's tests) needs offscreen.
SYSTEM_PACKAGES := chromium fonts-dejavu-core libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
chromium:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# wrk drives the ingest load benchmark (bench/ingest_load.py).
bench-tools:
	@dpkg -s wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^reel' | { echo "# Pinned Python dependencies for Reel and its tests (regenerate with 'make lock')."; cat; } > requirements.lock

clean:
	rm -rf $(VENV) web/node_modules src/reel/_built
