# SSELFIE Studio. `make run` starts the studio; `make test` runs the whole suite.
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: help run test test-sqlite test-postgres lint lock clean

help:  ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.created:
	@py=$$(bin/find-python) || exit 1; echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)
	@$(PY) -m pip install $(PIP_QUIET) --upgrade pip
	@touch $@

$(VENV)/.runtime: requirements.lock | $(VENV)/.created
	$(PY) -m pip install $(PIP_QUIET) --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.dev: requirements-dev.lock | $(VENV)/.created
	$(PY) -m pip install $(PIP_QUIET) --require-hashes -r requirements-dev.lock
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime  ## Start the studio (web server + task worker) at http://127.0.0.1:8000 (PORT=8080 make run for another port)
	$(PY) -m sselfie.run

test: $(VENV)/.dev  ## Run the whole suite (on PostgreSQL instead of SQLite when DATABASE_URL points to one)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy
	@command -v chromium >/dev/null || echo "Note: the browser journey is skipped without Chromium. Enable it with: sudo apt-get install chromium"
	$(PY) -m pytest -n 2

lint: $(VENV)/.dev  ## Ruff, the import layers and mypy
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy

lock: $(VENV)/.created  ## Re-pin requirements*.lock from pyproject.toml
	$(PY) -m pip install $(PIP_QUIET) uv
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --generate-hashes --python-version 3.12 -o requirements.lock
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --group dev --generate-hashes --python-version 3.12 -o requirements-dev.lock

clean:  ## Remove the virtual environment (keeps var/, your data)
	rm -rf $(VENV)
