# `make demo` and `make test` each set up .venv on a fresh machine first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test data pretrained clean

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

# The whole test suite, on both cores; the 15 slowest tests are listed at the end.
# TensorFlow turns its oneDNN kernels on by itself only on CPUs with AVX512
# VNNI/BF16 or AMX; TF_ENABLE_ONEDNN_OPTS=1 turns them on everywhere else too
# (AVX2-only EPYCs: the suite's convolutions then run on the same kernels as on
# those CPUs, and faster). Set it to 0 to test TensorFlow's Eigen kernels.
test: $(STAMP)
	TF_ENABLE_ONEDNN_OPTS=$${TF_ENABLE_ONEDNN_OPTS:-1} $(BIN)/python -m pytest -n auto -q --durations=15

# The Debian data packages: Fashion-MNIST's IDX files (the fashion_mnist data
# spec reads /usr/share/datasets/fashion-mnist) and the Noto colour emoji font
# (the emoji data). Installs them with apt-get (as root, or through sudo) when
# they are missing; where apt-get is not there it says what to do and succeeds.
DATA_PACKAGES := dataset-fashion-mnist fonts-noto-color-emoji

data:
	@if dpkg -s $(DATA_PACKAGES) >/dev/null 2>&1; then \
	  echo "make data: $(DATA_PACKAGES) already installed."; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make data: no apt-get here, nothing installed. On Debian/Ubuntu: apt-get install $(DATA_PACKAGES)."; \
	  echo "  Elsewhere: put Fashion-MNIST's four IDX files in a folder and use --data fashion_mnist:FOLDER"; \
	  echo "  (or set KERAS_GANS_FASHION_MNIST=FOLDER), or let tensorflow-datasets download tfds:fashion_mnist;"; \
	  echo "  for emoji, get NotoColorEmoji.ttf (Noto Color Emoji, CBDT) and use --data emoji:64:FONT_PATH (or set KERAS_GANS_EMOJI_FONT)."; \
	else \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	  else echo "make data: installing needs root; run as root: apt-get install $(DATA_PACKAGES)" >&2; exit 1; fi; \
	  echo "make data: apt-get install $(DATA_PACKAGES)"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -qq update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends $(DATA_PACKAGES) >/dev/null && \
	  echo "make data: installed; Fashion-MNIST is in /usr/share/datasets/fashion-mnist."; \
	fi

# Retrains the small pretrained generators in savedmodels/ (dcgan, wgan_gp,
# cgan, cyclegan; about 10 minutes on 2 cores) and checks they stay < 20 MB.
pretrained: $(STAMP)
	$(BIN)/python scripts/make_pretrained.py

clean:
	rm -rf runs build *.egg-info .pytest_cache
