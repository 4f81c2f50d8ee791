# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint serve browser-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Run the site on SQLite, seeded, at http://127.0.0.1:8000 (development mode).
run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_knowledge_base
	DEBUG=1 $(PY) manage.py build_data_release
	@echo ""
	@echo "  Site:  http://127.0.0.1:8000/"
	@echo "  Admin: http://127.0.0.1:8000/admin/"
	@echo "  Curator login: in another terminal, run"
	@echo "    DEBUG=1 $(PY) manage.py create_curator <username>"
	@echo ""
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Lint, migrations check, then the whole suite twice at once: on SQLite (pages cached in
# process memory) and on a throwaway PostgreSQL 15 with a throwaway Redis as the cache.
test: $(STAMP) lint browser-deps
	DJANGO_SETTINGS_MODULE=gfmd_kb.settings_test $(PY) manage.py makemigrations --check --dry-run
	tests/both_databases.sh $(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Production-like serving with gunicorn; needs SECRET_KEY and ALLOWED_HOSTS in the environment.
serve: $(STAMP)
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn gfmd_kb.wsgi --preload --bind $${BIND:-127.0.0.1:8000} --workers $${WEB_CONCURRENCY:-3}

# The browser tests drive Debian's Chromium (installed with apt-get when missing, as root)
# and inject axe-core from npm. Playwright's own browser download is never used.
browser-deps: node_modules/axe-core/axe.min.js
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils; }
	@test -x /usr/bin/pdftotext || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@
