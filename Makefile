# Jigsaw: `make demo` to see it, `make test` to check it. Both install first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
JIGSAW := $(VENV)/bin/jigsaw
DEMO_CHILDREN ?= 5000
DEMO_SEED ?= 2009
export JIGSAW_INSECURE_LOCAL ?= 1

.PHONY: install demo test check lint types pytest browser-deps clean

install: $(VENV)/.installed jigsaw/static/vendor/.copied browser-deps

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3.11 -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

jigsaw/static/vendor/.copied: node_modules/.package-lock.json scripts/copy_frontend.py
	$(PY) scripts/copy_frontend.py
	touch $@

# Debian packages: Chromium for the browser tests (never a downloaded browser), Pango,
# which WeasyPrint uses to lay out PDF exports, and Poppler's pdftoppm, with which the
# browser tests render those PDFs to images to look at them.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
browser-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing Debian packages: $$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || { echo "could not install $$missing (needed for the browser tests and PDF exports)" >&2; exit 1; }; fi

demo: install
	rm -f var/jigsaw.sqlite3 var/jigsaw.sqlite3-wal var/jigsaw.sqlite3-shm
	$(JIGSAW) migrate --no-input -v 0
	$(JIGSAW) seed_demo --children $(DEMO_CHILDREN) --seed $(DEMO_SEED)
	@echo "Jigsaw is at http://127.0.0.1:8000/ (Ctrl-C to stop)"
	DEBUG=0 $(JIGSAW) runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r jigsaw scripts

types: install
	$(VENV)/bin/mypy

pytest: install
	$(JIGSAW) makemigrations --check --dry-run
	$(VENV)/bin/pytest -p no:cacheprovider -n 2

# The one command a developer runs before committing.
test: lint types pytest

check: test

clean:
	rm -rf $(VENV) node_modules jigsaw/static/vendor var
