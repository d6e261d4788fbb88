# The two commands of the README: `make demo` and `make test`. Everything else is a helper of those two.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test install install-test bench messages check-migrations clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

install: $(VENV)/bin/activate
	$(PY) -m pip install -q -e .

install-test: $(VENV)/bin/activate
	$(PY) -m pip install -q -e ".[test]"

demo: install
	$(VENV)/bin/duijie demo

test: install-test
	PY=$(PY) scripts/test-env.sh

bench: install
	$(PY) bench/run_all.py

messages: install-test
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k pgettext:1c,2 --no-location --sort-output -o duijie/locale/messages.pot .
	$(PY) scripts/translations_zh.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache duijie.db duijie.db-wal duijie.db-shm
