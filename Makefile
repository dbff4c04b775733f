# memproof: `make verify` (main job) and `make test` (test suite), each sets itself up from a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
REPORT ?= reports
JOBS   ?= 2
# Multithreaded BLAS is very slow on the small matrices memproof uses (and pytest runs $(JOBS) workers).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: help setup setup-test verify test test-slow bench clean

help:
	@echo "make verify     - set up .venv, run 'memproof verify', write $(REPORT)/verify.{json,md,svg}"
	@echo "make test       - set up .venv with test extras and run the test suite"
	@echo "make test-slow  - also run tests marked slow"
	@echo "make bench      - run the benchmarks (ratios against named peers)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.setup-verify: $(PY) pyproject.toml constraints.txt
	$(PIP) install -q -c constraints.txt -e ".[verify]"
	@touch $@

$(VENV)/.setup-test: $(VENV)/.setup-verify
	$(PIP) install -q -c constraints.txt -e ".[all]"
	@touch $@

setup: $(VENV)/.setup-verify
setup-test: $(VENV)/.setup-test

verify: setup
	$(VENV)/bin/memproof verify --json $(REPORT)/verify.json --md $(REPORT)/verify.md --graph $(REPORT)/verify.svg --findings docs/figures

test: setup-test
	$(PY) -m pytest -n $(JOBS) -q -m "not slow"

test-slow: setup-test
	$(PY) -m pytest -n $(JOBS) -q -m "slow or not slow"

bench: setup-test
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) $(REPORT) .pytest_cache .hypothesis
