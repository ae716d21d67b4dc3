# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   generate a sample district and run the nightly job into DuckDB (then serve the dashboards)
#   make test   start a throwaway PostgreSQL, run pytest (incl. dbt build on DuckDB and PostgreSQL)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

DEMO_DIR      ?= demo
DEMO_STUDENTS ?= 2000
DEMO_SEED     ?= 42
SERVE         ?= 1

.PHONY: venv demo test bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

demo: venv
	SERVE=$(SERVE) DEMO_DIR=$(DEMO_DIR) DEMO_STUDENTS=$(DEMO_STUDENTS) DEMO_SEED=$(DEMO_SEED) \
		PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: venv
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

bench: venv
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench

clean:
	rm -rf $(VENV) warehouse.duckdb archive demo target logs dbt_packages
