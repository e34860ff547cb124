# Reel: two commands on a fresh machine — `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_JS := web/node_modules/.installed
BUILT := src/reel/_built/reel.js
JS_SRC := $(shell find web/src -name '*.ts' 2>/dev/null) web/build.mjs

.PHONY: demo test test-web lint bench build install chromium test-packages bench-tools lock clean dist

demo: install build chromium
	$(BIN)/reel demo

test: install build test-packages test-web
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	cd web && npx tsc --noEmit -p . && npx tsc --noEmit -p test
	$(BIN)/pytest -n auto

# The browser code's pure modules under Node's own test runner (web/test/unit, bundled by esbuild).
test-web: install
	cd web && node scripts/test.mjs --test-reporter=spec

lint: install build
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	cd web && npx tsc --noEmit -p . && npx tsc --noEmit -p test

bench: install build test-packages bench-tools
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

# The wheel, with the browser bundles inside (src/reel/_built): `pip install dist/reel-*.whl` gives a
# working `reel serve` with only the runtime dependencies (README "Slim install").
dist: build
	$(BIN)/pip wheel --quiet --disable-pip-version-check --no-deps -w dist .

$(BUILT): $(STAMP_JS) $(JS_SRC)
	cd web && node build.mjs

# Debian packages: Chromium drives the end-to-end tests and the demo's scripted visit (Playwright never
# downloads a browser); the fonts and libraries are what Qt (the mobile SDK's tests) needs offscreen.
SYSTEM_PACKAGES := chromium fonts-dejavu-core libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
endef
chromium:
	$(call apt_install,$(SYSTEM_PACKAGES))

# The tests also need PostgreSQL's server programs: the fixtures (tests/local_services.py) start a cluster
# of their own in a temporary folder on a free port and remove it afterwards; they never use a server
# already running. Any installed major version will do; Debian's `postgresql` is installed if none is.
# nginx: the deployment guide's proxy configuration is run as written by a test (nginx started by the
# test on a free port, never the system's service).
test-packages: chromium
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

# wrk drives the ingest load benchmark (bench/ingest_load.py).
bench-tools:
	$(call apt_install,wrk)

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^reel' | { echo "# Pinned Python dependencies for Reel and its tests (regenerate with 'make lock')."; cat; } > requirements.lock

clean:
	rm -rf $(VENV) web/node_modules src/reel/_built build dist
