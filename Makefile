# RNN Stepper: `make run` sets up and runs, `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
# One BLAS thread, as the server and the image run (ui/serve.py): on 2 shared cores
# OpenBLAS' own threads make the small matrix products of the tests many times slower.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

# The browser tests drive Debian's Chromium (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
ADDRESS ?= localhost
PORT ?= 8501

.PHONY: setup run test lint format bench clean chromium container-test bench-quick

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# `python -m ui.serve` is `streamlit run app.py`, importing TensorFlow as it starts.
run: $(STAMP)
	$(PY) -m ui.serve --server.address=$(ADDRESS) --server.port=$(PORT)

# Debian's Chromium for the browser tests: installed when missing and we are root
# (as in CI); otherwise the browser tests print why they skip.
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "No $(CHROMIUM) and not root: the browser tests will skip"; fi

test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Build the container image and test it as a classroom server runs it (Podman from
# apt, or Docker when a daemon answers): scripts/container_test.sh. CI runs it.
container-test: $(STAMP) chromium
	bash scripts/container_test.sh

# The benchmarks of bench/ (engine, rerun, cold start, page weight, classroom,
# gradients, heavy load), then one table against the targets; QUICK=1 for a short run.
bench: $(STAMP) chromium
	$(PY) bench/run_all.py

bench-quick: $(STAMP) chromium
	QUICK=1 $(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
