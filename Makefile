# The two commands a newcomer needs: `make run` and `make test`.
#
#   make run              set up, migrate, load the framework, add demo data, serve on :8000
#   PORT=8001 make run    the same on another port
#   make test             set up, then lint, formatting, types, the suite and the browser tests
#
#   make lock             after editing the ranges in pyproject.toml: lock the new set
#   make upgrade          move every locked package to the newest release its range allows,
#                         then run the whole suite
#
# Set-up is a virtual environment in .venv with exactly the versions (and hashes) locked in
# requirements-bootstrap.txt (pip, setuptools) and requirements-dev.txt (the app and its
# tools). A stamp file records the install, so a second run starts in seconds and a changed
# lock reinstalls.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

# Development defaults for `make run`; production reads real environment variables instead.
# Links in e-mails (invitations, notifications) point at the port being served.
RUN_ENV := DEBUG=true SITE_URL=$(or $(SITE_URL),http://127.0.0.1:$(PORT))

# When set (by .ci/run), each pytest run also writes a JUnit report there for the summary.
JUNIT_DIR ?=
junit = $(if $(JUNIT_DIR),--junitxml=$(JUNIT_DIR)/$(1).xml,)

# pytest exits 5 when it collects nothing; that is reported loudly rather than failing the run,
# because a marker with no tests yet is not a broken suite.
define pytest_run
	rc=0; $(1) $(BIN)/python -m pytest $(2) $(call junit,$(3)) || rc=$$?; \
	if [ "$$rc" -eq 5 ]; then \
		echo "!!! NOTICE: pytest $(2) collected no tests."; \
	elif [ "$$rc" -ne 0 ]; then \
		exit "$$rc"; \
	fi
endef

.PHONY: run prepare setup test lint types unit browser-test check-deploy clean lock upgrade \
	fuzz concurrency scale-out scale-data bench-scale

LOCKS := requirements-bootstrap.txt requirements.txt requirements-dev.txt

# --require-hashes: what is installed is byte for byte what the lock names, or nothing is.
# pip-sync then removes whatever an older lock installed and this one no longer names.
$(STAMP): $(LOCKS)
	@command -v $(PYTHON) >/dev/null || { \
		echo "$(PYTHON) was not found: install Python 3.11 or run with PYTHON=/path/to/python3.11."; \
		exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-bootstrap.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip-sync --quiet requirements-bootstrap.txt requirements-dev.txt
	@touch $(STAMP)

# The locks are made for Python 3.11 on Linux, what these machines and production run.
# The runtime lock (requirements.txt) is what production installs; the development lock
# (requirements-dev.txt) is constrained to it, so tests run on exactly the versions production gets.
# Without --upgrade, pip-compile keeps every pin it can and only adds or moves what the
# edited ranges require.
PIP_COMPILE = PIP_FIND_LINKS= CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

lock: $(VENV)/bin/pip-compile
	$(PIP_COMPILE) $(LOCK_ARGS) -o requirements-bootstrap.txt requirements-bootstrap.in
	$(PIP_COMPILE) $(LOCK_ARGS) -o requirements.txt pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev -c requirements.txt -o requirements-dev.txt \
		pyproject.toml
	@echo "Locked. Review 'git diff requirements*.txt' before committing (README, 'Locked dependencies')."

$(VENV)/bin/pip-compile:
	@$(MAKE) --no-print-directory setup

# Every release the ranges allow, then the whole suite on them.
upgrade:
	@$(MAKE) --no-print-directory lock LOCK_ARGS=--upgrade
	@$(MAKE) --no-print-directory test

setup: $(STAMP)
	@mkdir -p var

# Migrate, load the APPEAR data (a no-op when unchanged) and add demo people to an empty
# database. One Python process for the three commands: each start of Django costs a second.
# Seeding shares reflections and comments through the real services, which would print each
# notification e-mail to the console; nobody is there to read them.
PREPARE := import django; django.setup(); \
	from django.core.management import call_command; \
	call_command("migrate", interactive=False); \
	call_command("load_framework"); \
	call_command("seed_demo", if_empty=True)

prepare: setup
	@echo "Migrating, loading the APPEAR framework, adding demo data to an empty database."
	@$(RUN_ENV) EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
		DJANGO_SETTINGS_MODULE=appear_site.settings $(BIN)/python -c '$(PREPARE)'

run: prepare
	@echo "Serving APPEAR Reflect at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)."
	@echo "Demo sign-ins: README.md, 'Demo sign-ins' (password appear-demo-2025)."
	$(RUN_ENV) exec $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: lint, formatting, types, unit and integration tests, then the browser tests
# in a pytest run of their own (they need Chromium and a live server).
test: setup
	@$(MAKE) --no-print-directory lint types unit browser-test

# djade is the template formatter the house style names; --check only reports.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	find templates -name '*.html' -print0 | xargs -0 $(BIN)/djade --check

types: setup
	$(RUN_ENV) $(BIN)/mypy

# tests/browser is left out altogether, not only deselected: its conftest sets
# DJANGO_ALLOW_ASYNC_UNSAFE, which would leak into tests that start production-mode processes.
unit: setup
	@bash .ci/ensure-java
	@$(call pytest_run,,-m "not browser and not fuzz" --ignore=tests/browser,unit)

# The fuzz suite (tests/fuzz, Hypothesis): every URL, every persona, generated values.
# FUZZ_EXAMPLES sets the examples per URL and persona (bounded default: about two minutes).
fuzz: setup
	@$(call pytest_run,,-m fuzz tests/fuzz,fuzz)

# gunicorn on a fresh SQLite file and, with DATABASE_URL=postgres://..., on PostgreSQL:
# parallel autosave, amend/discard, share/withdraw and signing; zero 5xx, nothing lost.
concurrency: setup
	$(BIN)/python bench/concurrency.py --database sqlite --seconds $${CONCURRENCY_SECONDS:-30}
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		$(BIN)/python bench/concurrency.py --database "$${DATABASE_URL}_concurrency" \
			--seconds $${CONCURRENCY_SECONDS:-30}; \
	fi

# Two gunicorn servers behind HAProxy (or nginx) on one PostgreSQL database and one Redis: a
# session and the sign-in limit carry from one server to the other (docs/deployment.md,
# "Running several app servers"). The database in SCALE_OUT_DATABASE_URL is dropped and made
# again, the Redis database in SCALE_OUT_REDIS_URL emptied. .ci/run's PostgreSQL stage runs it
# as tests/test_scale_out.py.
scale-out: setup
	$(BIN)/python bench/scale_out.py \
		--database $${SCALE_OUT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/appear_scaleout} \
		--redis $${SCALE_OUT_REDIS_URL:-redis://127.0.0.1:6379/8}

# Issue 13's scale data set and its benchmarks (docs/operations.md, "Measuring at scale").
# SCALE_DATABASE_URL names a PostgreSQL database to fill (empty, or it is refused);
# BENCH_EMPTY_DATABASE_URL, if set, another one for the growth benchmark's empty-database run.
SCALE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/appear_scale
scale-data: setup
	DATABASE_URL=$(SCALE_DATABASE_URL) DEBUG=true $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=$(SCALE_DATABASE_URL) DEBUG=true $(BIN)/python manage.py seed_scale \
		$(if $(SCALE_REFLECTIONS),--reflections $(SCALE_REFLECTIONS),)

bench-scale: setup
	DATABASE_URL=$(SCALE_DATABASE_URL) $(BIN)/python bench/load_benchmark.py
	DATABASE_URL=$(SCALE_DATABASE_URL) $(BIN)/python bench/growth_benchmark.py \
		$(if $(BENCH_EMPTY_DATABASE_URL),--empty-database-url $(BENCH_EMPTY_DATABASE_URL),)

# Chromium comes from Debian (`playwright install` cannot download a browser here).
# SKIP_BROWSER_TESTS=1 skips these tests on purpose, and says so loudly.
browser-test: setup
	@if [ "$${SKIP_BROWSER_TESTS:-}" = 1 ]; then \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!! SKIP_BROWSER_TESTS=1: the browser tests were NOT run."; \
		echo "!!! The suite is incomplete; unset SKIP_BROWSER_TESTS to run them."; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		exit 0; \
	fi; \
	bash .ci/ensure-chromium; \
	$(call pytest_run,DJANGO_ALLOW_ASYNC_UNSAFE=true,-m browser,browser)

# Runs the deploy check with the environment you give it (SECRET_KEY, ALLOWED_HOSTS, ...).
check-deploy: setup
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
