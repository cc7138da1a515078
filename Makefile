PYTHON ?= python

.PHONY: test bench bench-quick

test:
	$(PYTHON) -m pytest

bench:
	$(PYTHON) benchmarks/run.py

bench-quick:
	$(PYTHON) benchmarks/run.py --quick
