# Everything from a fresh clone: `make run` serves the demo, `make test` proves it.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: setup setup-test uv test lint run demo clean browser-deps java-deps

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

setup: uv
	@$(UV) sync --frozen --quiet

# The tests also run the set-based rules on Apache Spark (the `spark` extra: pyspark, local mode).
setup-test: uv
	@$(UV) sync --frozen --quiet --extra spark

# The browser test drives Debian's chromium; install it on a bare machine (root, apt) when absent.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian chromium for the browser test"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

# Spark needs a Java runtime; install Debian's on a bare machine (root, apt) when absent.
java-deps:
	@if ! command -v java >/dev/null 2>&1; then \
		echo "installing a Java runtime for the Spark tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

lint: setup-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

test: setup-test lint browser-deps java-deps
	.venv/bin/pytest -n 2 --dist loadgroup

run: setup
	.venv/bin/portalytics demo

clean:
	rm -rf .venv .pytest_cache .ruff_cache
