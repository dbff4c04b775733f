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

COQ_PACKAGES := coq libcoq-mathcomp libcoq-mathcomp-zify libcoq-mathcomp-algebra-tactics libcoq-mathcomp-multinomials
BROWSER_PACKAGES := chromium

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

.PHONY: help setup setup-test coq browser verify docs test test-slow bench formal-check mutation clean

help:
	@echo "make verify     - set up .venv, run 'memproof verify', write $(REPORT)/verify.{json,md,svg} and $(REPORT)/site/index.html"
	@echo "make test       - set up .venv with test extras and run the test suite"
	@echo "make test-slow  - also run tests marked slow"
	@echo "make bench      - run the benchmarks (ratios against named peers)"
	@echo "make docs       - build the documentation site (mkdocs, strict) into $(REPORT)/docs"
	@echo "make coq        - install Coq 8.16 + MathComp 1.15 (Debian packages) when coqc is missing"
	@echo "make browser    - install headless Chromium (Debian package) for the browser test when missing"
	@echo "make formal-check - re-check the compiled Coq proofs with coqchk"
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

$(VENV)/.setup-docs: $(VENV)/.setup-verify
	$(PIP) install -q -c constraints.txt -e ".[docs]"
	@touch $@

$(VENV)/.setup-mutation: $(VENV)/.setup-test
	$(PIP) install -q -c constraints.txt -e ".[mutation]"
	@touch $@

setup: $(VENV)/.setup-verify
setup-test: $(VENV)/.setup-test

# The formal tier needs coqc; as root with apt-get it is installed, otherwise formal claims are reported
# unavailable (never failed, never proved) and everything else proceeds.
coq:
	@if command -v coqc >/dev/null 2>&1 && [ -e "$$(coqc -where)/user-contrib/SsrMultinomials/mpoly.vo" ]; then coqc --version | head -n 1; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "make coq: installing Coq + MathComp from Debian: $(COQ_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(COQ_PACKAGES) >/dev/null && coqc --version | head -n 1; \
	else echo "make coq: coqc or SsrMultinomials not found and cannot install here; formal claims will be reported unavailable. Install with: sudo apt-get update && sudo apt-get install -y $(COQ_PACKAGES)"; fi

# The browser test (tests/test_site.py) opens the report site and the docs in headless Chromium; without it
# that test skips with the reason, and everything else proceeds.
browser:
	@if command -v chromium >/dev/null 2>&1; then chromium --version 2>/dev/null | head -n 1; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "make browser: installing headless Chromium from Debian: $(BROWSER_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null && chromium --version | head -n 1; \
	else echo "make browser: chromium not found and cannot install here; the browser test will skip. Install with: sudo apt-get update && sudo apt-get install -y $(BROWSER_PACKAGES)"; fi

# Exit code 2 (some claim unknown or below the required level) still writes the full report: say so, do not fail make.
verify: setup coq
	@$(VENV)/bin/memproof verify --json $(REPORT)/verify.json --md $(REPORT)/verify.md --graph $(REPORT)/verify.svg --html $(REPORT)/site --findings docs/figures; \
	code=$$?; if [ $$code -eq 2 ]; then echo "make verify: exit code 2 — some claims are not established at the required level (see $(REPORT)/verify.md); the report is complete"; exit 0; fi; exit $$code

# Strict: any warning (a broken internal link, an unparsable docstring) fails the build; tests/test_docs_build.py runs it too.
docs: $(VENV)/.setup-docs
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict -d $(REPORT)/docs
	@echo "make docs: open $(REPORT)/docs/index.html"

formal-check: setup coq
	$(PY) -c "from memproof.formal import build_project, recheck; r = recheck(build_project('proofs/mahdavi2024/formal', jobs=2)); print(r['reason'] or 'coqchk: ok', r['seconds'], 's'); raise SystemExit(0 if r['ok'] else 1)"

test: setup-test coq browser
	$(PY) -m pytest -n $(JOBS) -q -m "not slow"

test-slow: setup-test browser
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
