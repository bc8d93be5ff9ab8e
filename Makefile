# genlab: `make demo` trains a small VAE and writes its report; `make test` runs the test suite.
# Both start from nothing: they create .venv, install PyTorch (CPU 2.13.0 via constraints.txt)
# and genlab, and install the Debian data packages that are missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.genlab-installed
BENCH_STAMP := $(VENV)/.genlab-bench-installed
DEBIAN_DATA := dataset-fashion-mnist flite fillets-ng-data-nl

.PHONY: help setup data demo test test-slow lint bench clean

help:
	@echo "make demo    train a conv VAE on Fashion-MNIST (<5 min on 2 cores), write runs/demo/report.html"
	@echo "make test    run the test suite"
	@echo "make lint    ruff check of src, tests and benchmarks; import-linter's layer contracts"
	@echo "make bench   run benchmarks/vae_train.py against pythae (long; see docs/benchmarks.md)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# pyworld (speech features) builds from source against the venv's numpy and setuptools < 81
	$(BIN)/python -m pip install --quiet -c constraints.txt setuptools wheel cython numpy
	$(BIN)/python -m pip install --quiet -c constraints.txt --no-build-isolation pyworld
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,voice]"
	touch $@

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $@

setup: $(STAMP) data

data:
	@bash scripts/install-debian-data.sh $(DEBIAN_DATA)

demo: setup
	$(BIN)/genlab train vae --data fashion-mnist --net conv --hidden 256 --latent-dim 16 --binarize \
		--epochs 10 --out runs/demo --overwrite
	$(BIN)/genlab evaluate runs/demo --iwae-k 100
	@echo "report: $$($(BIN)/genlab report runs/demo)"

test: setup
	$(BIN)/python -m pytest

test-slow: setup
	$(BIN)/python -m pytest -m slow

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-logo

bench: $(BENCH_STAMP) data
	$(BIN)/python benchmarks/vae_train.py

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
