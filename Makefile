PYTHON ?= python

.PHONY: test lint bench bench-quick

test:
	$(PYTHON) -m pytest

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy

bench:
	$(PYTHON) benchmarks/run.py

bench-quick:
	$(PYTHON) benchmarks/run.py --quick
