# One command per habit: `make run`, `make test`, `make lint`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# 127.0.0.1: this machine only. ADDRESS=0.0.0.0 serves the network, on purpose (with sign-in, see README).
ADDRESS ?= 127.0.0.1

.PHONY: run test lint chromium postgres validate bench clean

# Re-install when pyproject.toml changes; the stamp records which extras are installed.
$(VENV)/.run: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.run

run: $(VENV)/.run
	$(VENV)/bin/streamlit run dashboard/app.py --server.port $(PORT) --server.address $(ADDRESS)

# Debian's Chromium for the browser tests. Needs root (CI runs as root on a fresh machine);
# elsewhere the browser tests are skipped with a reason, except under CI=true.
chromium:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is not installed and cannot be installed here: browser tests will be skipped"; fi

# Debian's PostgreSQL 15 and PostGIS for the database tests (tests/pg.py starts a throwaway
# cluster as the 'postgres' user). Same rules as chromium: installed as root, else skipped
# with a reason, except under CI=true.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && \
		ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's postgresql and postgis for the database tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			postgresql postgresql-postgis >/dev/null \
		|| echo "apt-get could not install postgresql/postgis: the database tests will say why"; \
	else echo "PostgreSQL/PostGIS is not installed and cannot be installed here: database tests will be skipped"; fi

test: $(VENV)/.test chromium postgres
	$(PY) -m pytest

lint: $(VENV)/.test
	$(VENV)/bin/ruff check dashboard tests tools bench

validate: $(VENV)/.run
	$(PY) -m dashboard validate

bench: $(VENV)/.test
	$(PY) bench/bench_map.py
	$(PY) bench/bench_export.py
	$(PY) bench/bench_import.py
	$(PY) bench/run.py --n 1000,10000 --naive-max 10000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
