# `make demo` and `make test` each set up .venv on a fresh machine first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test pretrained clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Trains DCGAN on the bundled digits with its defaults, writes a sample grid,
# exports the SavedModel and the .tflite, and prints where each went.
demo: $(STAMP)
	$(BIN)/keras-gans train dcgan

# The whole test suite, on both cores.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto -q

# Retrains the small pretrained generators in savedmodels/ (dcgan, wgan_gp,
# cgan, cyclegan; about 10 minutes on 2 cores) and checks they stay < 20 MB.
pretrained: $(STAMP)
	$(BIN)/python scripts/make_pretrained.py

clean:
	rm -rf runs build *.egg-info .pytest_cache
