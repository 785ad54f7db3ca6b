# Set-up and everyday commands. Only Python 3 and make are needed: the first
# target that runs creates .venv and installs the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

BENCH  := .venv-bench

.PHONY: proofs test bench bench-env clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

## make proofs: check every derivation and write outputs/, the loss gallery in outputs/loss-gallery/ (then recheck the certificates)
proofs: $(STAMP)
	$(BIN)/derive build --out outputs
	$(BIN)/python -m derive.search.gallery outputs/loss-gallery
	$(BIN)/derive recheck outputs/*.json outputs/loss-gallery/*.json

## make test: the test suite (every derivation replayed as a proof check)
test: $(STAMP)
	$(BIN)/python -m pytest

## make bench: timings of `derive build` and `derive check --batch`; `derive check` and `derive verify` beside their peers (not part of the tests)
bench: $(STAMP) $(BENCH)/.installed
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/loss.py
	$(BENCH)/bin/python benchmarks/check.py
	$(BENCH)/bin/python benchmarks/verify.py
	$(BIN)/python benchmarks/batch.py

## make bench-env: the benchmark's own environment, with the peer math-verify (not a dependency)
bench-env: $(BENCH)/.installed

$(BENCH)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH)/bin/python -m pip install --quiet -c constraints.txt -e . math-verify
	touch $(BENCH)/.installed

clean:
	rm -rf $(VENV) $(BENCH) build *.egg-info .pytest_cache
