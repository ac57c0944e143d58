# Two commands for a new user: `make demo` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PORT ?= 8000

.PHONY: demo test prod prod-env lint format messages screenshots vendor-plotly clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements.txt requirements-dev.txt $(VENV)/.requirements
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# The demo: SQLite, Celery tasks in process, the 2015 plan and synthetic demo figures; static
# files collected, hashed and compressed, and served by whitenoise as in production.
demo: $(VENV)/.requirements
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_plan
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py rollup
	DEBUG=1 STATIC_COLLECTED=1 $(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Serving on http://127.0.0.1:$(DEMO_PORT)/ (accounts in README.md; password demo-2015)"
	DEBUG=1 STATIC_COLLECTED=1 $(BIN)/python manage.py runserver --nostatic 127.0.0.1:$(DEMO_PORT)

# The whole suite. DATABASE_URL and CELERY_BROKER_URL in the environment select PostgreSQL
# and Redis (as .ci/run does); without them SQLite, and tests that need the others say why.
test: $(VENV)/.requirements-dev messages
	$(BIN)/python -m pytest

# Production processes in one terminal (the Procfile: gunicorn, a Celery worker, Celery beat),
# after migrate and collectstatic. Needs PostgreSQL, Redis and the production environment
# (README, "Deployment"); on a server systemd runs the same three commands instead.
PROD_ENV := DATABASE_URL CELERY_BROKER_URL SECRET_KEY ALLOWED_HOSTS FIELD_ENCRYPTION_KEY PERSONAL_DATA_HASH_KEY
prod: prod-env $(VENV)/.requirements
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

prod-env:
	@for name in $(PROD_ENV); do \
		if [ -z "$$(printenv $$name)" ]; then echo "make prod: set $$name (README, Deployment)"; exit 1; fi; \
	done

lint: $(VENV)/.requirements-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.requirements-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# English catalog (source strings are Chinese); compiled .mo files are committed, and
# recompiled here when gettext's msgfmt is installed.
messages: $(VENV)/.requirements
	@if command -v msgfmt >/dev/null; then \
		DEBUG=1 $(BIN)/python manage.py compilemessages -v0 --ignore=.venv; \
	else echo "msgfmt not installed (apt-get install gettext): using the committed .mo files"; fi

# Pictures of the demo for the README (docs/*.png), in Debian's Chromium with fonts-noto-cjk.
screenshots: $(VENV)/.requirements-dev messages
	$(BIN)/python docs/screenshots.py

# plotly.js for the charts: the "cartesian" distribution (scatter, bar, heatmap and a few more
# trace types: about a third of the full bundle), from the npm registry, pinned by version and
# checksum, vendored under static/ and committed. Run after changing either pin.
PLOTLY_JS_VERSION := 4.1.1
PLOTLY_JS_SHA256 := 79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a
vendor-plotly:
	@work=$$(mktemp -d) && cd $$work && \
	npm pack --silent plotly.js-cartesian-dist-min@$(PLOTLY_JS_VERSION) >/dev/null && \
	tar xzf plotly.js-cartesian-dist-min-$(PLOTLY_JS_VERSION).tgz package/plotly-cartesian.min.js && \
	echo "$(PLOTLY_JS_SHA256)  package/plotly-cartesian.min.js" | sha256sum --check --quiet && \
	cp package/plotly-cartesian.min.js $(CURDIR)/static/vendor/plotly-cartesian.min.js && \
	rm -rf $$work && echo "static/vendor/plotly-cartesian.min.js: plotly.js $(PLOTLY_JS_VERSION), checksum verified"

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
