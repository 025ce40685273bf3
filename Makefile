# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-test
PYWB_VENV := .venv-pywb
PYWB := $(PYWB_VENV)/bin/wayback

.PHONY: test lint venv clean extension-test chromium firefox pywb

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when the dependency list changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: $(STAMP) lint extension-test chromium firefox nginx $(PYWB)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) $(PYWB_VENV) .pytest_cache .ruff_cache

# The browser extension: Node's test runner and web-ext lint; tooling lives in extension-tools/
# so that extension/ holds only what the browser loads.
EXT_TOOLS := extension-tools/node_modules/.package-lock.json

$(EXT_TOOLS): extension-tools/package-lock.json
	cd extension-tools && npm ci --no-audit --no-fund --loglevel=error

extension-test: $(EXT_TOOLS)
	node --test extension/test/ extension-tools/test/
	cd extension-tools && npm run --silent lint

# The end-to-end tests drive Debian's Chromium and Firefox ESR (never a downloaded browser
# build); Firefox through extension-tools' puppeteer-core, installed by extension-test.
chromium:
	@command -v chromium >/dev/null 2>&1 || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium)

# tests/e2e/test_deploy_nginx.py runs Debian's nginx (the shipped deploy/nginx config) on loopback.
.PHONY: nginx
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx)

# The Firefox e2e (tests/e2e/test_extension_firefox.py) drives Debian's firefox-esr.
.PHONY: firefox
firefox:
	@command -v firefox-esr >/dev/null 2>&1 || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends firefox-esr)

# pywb (the local Wayback Machine of tests/e2e and bench/backfill.py) pins old redis and
# fakeredis, so it gets a venv of its own; demo/pywbserver.py finds it there.
$(PYWB):
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install --quiet pywb

pywb: $(PYWB)

# `make run`: the service (API + scheduler) on 127.0.0.1:8080, setting up .venv first if needed
# (PORT=0: any free port; the line it prints names it).
PORT ?= 8080
.PHONY: run
run: $(STAMP)
	$(VENV)/bin/clausewatch serve --host 127.0.0.1 --port $(PORT)

# `make demo`: the whole system offline on the real histories of tests/data (demo/run.py):
# a pywb Wayback replay, local live sites, `clausewatch serve` on 127.0.0.1:8080 tracking
# them; Ctrl-C stops it all. DEMO_ARGS passes flags, e.g. DEMO_ARGS="--port 0 --sites zoom".
.PHONY: demo
demo: $(STAMP) $(PYWB)
	$(PY) -m demo $(DEMO_ARGS)

# `make bench`: every benchmark in bench/, one after the other, then one table of figures,
# each beside its baseline measured in the same run, the ratio and the goal (bench/run_all.py;
# each bench's own report lands in test-output/bench/<bench>.log). Needs pywb for backfill.
.PHONY: bench bench-smoke wrk
bench: $(STAMP) $(PYWB) wrk
	$(PY) bench/run_all.py $(BENCH_ARGS)

# `make bench-smoke`: every bench end to end on its least input (bench/run_all.py --smoke),
# to see that none is broken; its figures measure nothing and are not written anywhere.
bench-smoke: $(STAMP) $(PYWB)
	$(PY) bench/run_all.py --smoke $(BENCH_ARGS)

# bench/api.py loads the API with wrk (Debian's package) when it is installed: a C client
# can outrun one Python server, so the server is what gets measured. Without it (no apt),
# the bench falls back to its own aiohttp client.
wrk:
	@command -v wrk >/dev/null 2>&1 || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk) || true

# `make docs`: rewrite the command outputs shown in README.md and docs/ (and docs/commands.md)
# from a fresh run; tests/test_docs.py fails when they are stale.
.PHONY: docs
docs: $(STAMP)
	$(PY) docs/regen.py
