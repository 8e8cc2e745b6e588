# Heupwijzer — two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := $(VENV)/bin/rasa
BUILD       := build
MODEL       := models/heupwijzer.tar.gz
# pytest-xdist workers for `make test`: each runs whole test modules (tests/conftest.py groups them:
# one worker holds every module that talks to the session's stack, the judging sets have a stack of
# their own). Three on two cores: a worker waiting on its servers leaves its core to another.
TEST_WORKERS ?= 3
# What setup installs: the runtime and the development tools; the production image takes requirements.txt.
REQUIREMENTS ?= requirements-dev.txt

# Which Dutch spaCy pipeline to use: nl_core_news_sm (preferred) or nl_heupwijzer_offline.
# When nl_core_news_sm cannot be installed, setup falls back to nl_heupwijzer_offline and says so.
HEUPWIJZER_SPACY_MODEL ?= nl_core_news_sm

# `make run` starts everything through `heupwijzer run` (heupwijzer/server/launch.py), which holds the defaults (ports 5005,
# 5055 and 8080, conversations in .state/) and reads .env. Override them on the command line,
# e.g. `make run RASA_PORT=5006 WEB_PORT=8081 STATE_DIR=/tmp/heupwijzer`.
export RASA_PORT ACTIONS_PORT WEB_PORT STATE_DIR HEUPWIJZER_TRACKER_DB HEUPWIJZER_HOST
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# uv installs the pinned requirements (the same versions pip would) from its cache in seconds;
# copies, not hard links, so that no package can change a cached file.
UV_VERSION := 0.13.9
export UV_LINK_MODE := copy
# Rasa's training cache is per machine, not per clone: a fresh clone of unchanged data and
# configuration reuses what this machine trained before (Rasa's fingerprints decide, as in .rasa/).
export RASA_CACHE_DIRECTORY ?= $(HOME)/.cache/heupwijzer/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

DATA_FILES := $(shell find data -name '*.yml' 2>/dev/null)
# Where Debian keeps PostgreSQL's server programs (initdb, pg_ctl): not on PATH.
PG_BIN := /usr/lib/postgresql/17/bin:/usr/lib/postgresql/16/bin:/usr/lib/postgresql/15/bin

.PHONY: help setup browser nginx run shell test unit lint evaluate judge scale-out bench profile purge insights insights-bench train validate clean FORCE

help:
	@echo "make run   - set everything up and start Heupwijzer (chat page in your browser)"
	@echo "make test  - set everything up and run the whole test suite"
	@echo "make shell - chat in the terminal"
	@echo "make evaluate - what Heupwijzer understands: reports/evaluation/index.md"
	@echo "make judge - the judging sets, Heupwijzer against Rasa's defaults: reports/evaluation/judging.md"
	@echo "make unit  - style, types and the unit tests only (seconds, no model)"
	@echo "make bench - speed against Rasa's default configuration: reports/bench/"
	@echo "make profile - where a turn's time goes (py-spy): reports/bench/profile.md"
	@echo "make scale-out - 50 patients on 1 and on 2 instances behind nginx: speed and memory"
	@echo "make purge - delete conversations older than HEUPWIJZER_RETENTION_DAYS (default 30)"
	@echo "make insights - the practice's insights as files: reports/insights/index.html"
	@echo "make insights-bench - the insights page from 100,000 generated conversations: timing"

# --- setup -----------------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml tools/find_python.sh
	@python=$$(tools/find_python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	    rm -rf $(VENV); echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; \
	  fi
	$(PY) -m pip install --quiet --upgrade pip==24.2 uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r $(REQUIREMENTS)
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

# Bytecode once per install (uv does not compile by default, and PYTHONDONTWRITEBYTECODE, set on
# these machines, keeps Python from caching it): otherwise every server start compiles Rasa,
# TensorFlow and spaCy from source again, about a third of the time to a first answer.
$(VENV)/.bytecode: $(VENV)/.installed
	$(PY) -m compileall -q -j 0 $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') > /dev/null
	@touch $@

# deduce (personal data scrubbing) builds its lookup tables on first use: once per machine, in
# ~/.cache/heupwijzer/deduce (DEDUCE_CACHE_DIRECTORY), as Rasa's training cache, and a compact copy
# of them (heupwijzer/store/deduce_tables.py) that every server loads. Made once per install (a new
# deduce version rebuilds them), and again whenever the compact tables are gone, so that no two
# servers of a test run build them at the same time.
DEDUCE_VERSION := $(shell sed -n 's/^deduce==//p' requirements.txt)
DEDUCE_TABLES := $(or $(DEDUCE_CACHE_DIRECTORY),$(HOME)/.cache/heupwijzer/deduce)/compact-$(DEDUCE_VERSION)/cache/lookup_structs.pickle
$(BUILD)/deduce-ready: $(VENV)/.installed
	@echo "Loading deduce's lookup tables (the first time on this machine: built, about a minute) ..."
	@mkdir -p $(BUILD) && $(PY) -m heupwijzer.store.scrub > /dev/null && touch $@

$(DEDUCE_TABLES): | $(VENV)/.installed
	@echo "Building deduce's lookup tables (about a minute) ..."
	@$(PY) -m heupwijzer.store.scrub > /dev/null

# Always re-checked (cheap); the file only changes when the effective pipeline changes.
$(BUILD)/spacy-model: $(VENV)/.installed tools/setup_spacy.py FORCE
	@$(PY) tools/setup_spacy.py $(HEUPWIJZER_SPACY_MODEL) $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed $(VENV)/.bytecode $(BUILD)/spacy-model $(BUILD)/deduce-ready $(DEDUCE_TABLES)

# Debian's chromium for the browser test (installed when missing and possible).
browser:
	@tools/setup_debian_package.sh browser chromium chromium "the browser test"

# Debian's nginx, PostgreSQL and Redis for the production tests, which start their own servers, and
# Prometheus' promtool for the check of the alert rules
# (installed when missing and possible; a service the package installs is stopped and disabled).
nginx:
	@PATH="$$PATH:/usr/sbin" tools/setup_debian_package.sh nginx nginx nginx "the scale-out test"
	@PATH="$$PATH:$(PG_BIN)" tools/setup_debian_package.sh postgres postgresql initdb "the scale-out test"
	@PATH="$$PATH:/usr/sbin" tools/setup_debian_package.sh redis redis-server redis-server "the production tests"
	@tools/setup_debian_package.sh promtool prometheus promtool "the check of the alert rules"

# --- model -----------------------------------------------------------------------------------
# Retrain only when training data, config, domain, the spaCy pipeline or our NLU components changed.
$(MODEL): $(BUILD)/spacy-model config.yml domain.yml $(DATA_FILES) $(wildcard heupwijzer/nlu/*.py)
	@echo "Training the model (spaCy pipeline: $$(cat $(BUILD)/spacy-model)) ..."
	@start=$$(date +%s); \
	  HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(RASA) train --fixed-model-name heupwijzer \
	    --out models --domain domain.yml --data data --config config.yml || exit 1; \
	  echo "Training took $$(( $$(date +%s) - start )) s"; \
	  touch $@

train: $(MODEL)

validate: setup
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(RASA) data validate \
	  --domain domain.yml --data data --config config.yml

# --- the two commands ------------------------------------------------------------------------
run: setup node_modules/.installed $(MODEL)
	@$(VENV)/bin/heupwijzer run

shell: setup $(MODEL)
	@$(VENV)/bin/heupwijzer shell

# No separate `validate`: the model is retrained whenever data, domain or config changed, and
# `rasa train` runs the same validation first (rasa/cli/train.py: validate_files).
test: setup lint node_modules/.installed browser nginx $(MODEL)
	@echo "spaCy pipeline under test: $$(cat $(BUILD)/spacy-model)"
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(PY) -m pytest tests -n $(TEST_WORKERS) --dist loadgroup --durations=10

# Style and types (pyproject.toml): ruff (lint + format) and mypy, in seconds.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

# The unit tests alone: no trained model, no servers, no browser.
unit: setup lint node_modules/.installed
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(PY) -m pytest tests -m "not stack" -n $(TEST_WORKERS)

# The full picture: Rasa's NLU reports (test set, 5-fold cross-validation), red flags, follow-ups,
# off-topic declines and the thresholds, in reports/evaluation/ (index.md first).
# The baseline of `make bench`: the same data and domain on Rasa's default configuration.
models/baseline.tar.gz: tools/baseline/baseline_config.yml domain.yml $(DATA_FILES) $(VENV)/.installed
	@echo "Training the baseline (Rasa's default configuration) for make bench ..."
	$(RASA) train --fixed-model-name baseline --out models --domain domain.yml --data data \
	  --config tools/baseline/baseline_config.yml
	@touch $@

# Heupwijzer as in production on this machine against Rasa's defaults, under the same load.
bench: setup nginx $(MODEL) models/baseline.tar.gz
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(PY) -m tools.bench

# Where a Rasa process spends its time under load (py-spy): reports/bench/profile.md.
profile: setup $(MODEL)
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(PY) -m tools.py_spy_profile

# Throughput, latency and memory with 1 and with 2 Rasa instances behind nginx (tools/scale_out.py).
scale-out: setup nginx $(MODEL)
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(PY) -m tools.scale_out

evaluate: setup $(MODEL) models/baseline.tar.gz
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(PY) -m tools.evaluate

# The judging sets alone (tests/data/judging): Heupwijzer and the baseline side by side,
# reports/evaluation/judging.md. SET=<directory> for one set; RECORD=1 keeps both columns in the
# set's scores.json, the floors of tests/test_judging.py.
judge: setup $(MODEL) models/baseline.tar.gz
	HEUPWIJZER_SPACY_MODEL=$$(cat $(BUILD)/spacy-model) $(PY) -m tools.evaluate --judge-only $(if $(SET),--set $(SET)) $(if $(RECORD),--record)

# Retention: conversations without a message for HEUPWIJZER_RETENTION_DAYS (default 30) are
# deleted. Run daily from cron (docs/privacy.md).
purge: setup
	@$(VENV)/bin/heupwijzer purge

# The practice's insights page as static files (the same page as /insights on the web server).
insights: setup
	@$(VENV)/bin/heupwijzer insights

# Building the insights page from a year of generated conversations (100,000): reports/insights/bench.md.
insights-bench: setup
	$(PY) -m tools.insights_bench

clean:
	rm -rf $(BUILD) models/*.tar.gz .pytest_cache

FORCE:
