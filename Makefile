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

# `make mutation`: mutmut on the checker modules ([tool.mutmut] in pyproject.toml, docs/mutation.md).
# MODULES=... mutates only those files (TESTS=... replaces the test selection); the report of a
# MODULES run goes to .mutation/report.md, the full run's to docs/mutation.md. MUTATION_JOBS workers
# at nice $(MUTATION_NICE); MUTATION_TIME (seconds) stops mutmut cleanly and keeps what it decided.
MODULES       ?=
TESTS         ?=
MUTATION_JOBS ?= 1
MUTATION_NICE ?= 10
MUTATION_TIME ?=
MIN_SCORE     ?= 90

.PHONY: help setup setup-test verify test test-slow bench mutation clean

help:
	@echo "make verify     - set up .venv, run 'memproof verify', write $(REPORT)/verify.{json,md,svg}"
	@echo "make test       - set up .venv with test extras and run the test suite"
	@echo "make test-slow  - also run tests marked slow"
	@echo "make bench      - run the benchmarks (ratios against named peers)"
	@echo "make mutation   - mutation testing of the checker modules (MODULES=path.py ... for a subset)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.setup-verify: $(PY) pyproject.toml constraints.txt
	$(PIP) install -q -c constraints.txt -e ".[verify]"
	@touch $@

$(VENV)/.setup-test: $(VENV)/.setup-verify
	$(PIP) install -q -c constraints.txt -e ".[all]"
	@touch $@

$(VENV)/.setup-mutation: $(VENV)/.setup-test
	$(PIP) install -q -c constraints.txt -e ".[mutation]"
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

mutation: $(VENV)/.setup-mutation
	nice -n $(MUTATION_NICE) $(PY) tools/mutation.py run --max-children $(MUTATION_JOBS) \
		$(if $(MODULES),--modules $(MODULES)) $(if $(TESTS),--tests $(TESTS)) $(if $(MUTATION_TIME),--time-limit $(MUTATION_TIME))
	$(PY) tools/mutation.py report --check --min-score $(MIN_SCORE) \
		$(if $(MODULES),--modules $(MODULES) --doc .mutation/report.md)

clean:
	rm -rf $(VENV) $(REPORT) .pytest_cache .hypothesis .mutation mutants
