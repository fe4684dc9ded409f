# Sonocart — every target sets itself up: a fresh Debian 12 machine needs only `make run` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The cart's own Debian packages (`make install`; `make sbom` lists them): packaging/debian-packages.txt.
CART_DEB_PACKAGES := $(shell grep -v '^\#' packaging/debian-packages.txt)
# Debian packages: a virtual X server and Mesa for the Kivy window in tests and on headless machines,
# SDL/GL runtime libraries Kivy's wheels load, the PACS server and the DICOM validator for record tests.
# Node and npm run the emulated Pico (tools/emulated_pico); Debian's nodejs and npm, unless a node
# and npm are already installed (NodeSource's nodejs bundles npm and conflicts with Debian's npm).
NODE_DEB := $(if $(and $(shell command -v node),$(shell command -v npm)),,nodejs npm)
DEB_PACKAGES := xvfb xauth libgl1-mesa-dri libgl1 libegl1 libmtdev1 libxrender1 orthanc dicom3tools poppler-utils mount systemd \
  $(NODE_DEB) $(CART_DEB_PACKAGES)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
# The emulated Pico's npm packages, exactly as package-lock.json pins them.
EMU_DIR := tools/emulated_pico
EMU_STAMP := $(EMU_DIR)/node_modules/.installed
# make install: DESTDIR installs into a prefix (an image being built, a test root); RELEASE_KEY=pem adds
# the public key `sonocart update` accepts; make uninstall PURGE=1 also deletes records and the user.
DESTDIR ?=
RELEASE_KEY ?=
PURGE ?=
WHEELS := build/wheels
PIPVENV := build/pip-venv

DEBS ?= $(DEB_PACKAGES)
.PHONY: install uninstall wheels lock sbom bundle help setup system-deps run test lint typecheck typecheck-firmware pytest fuzz bench bench-ui screenshots clean flash hil soak

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system-deps: ## Install the Debian packages the project needs (apt-get; only what is missing)
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	@[ -x $(BIN)/python ] || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing sonocart with its dev extras into $(VENV)"
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

$(EMU_STAMP): $(EMU_DIR)/package.json $(EMU_DIR)/package-lock.json
	@echo "Installing the emulated Pico's npm packages (npm ci in $(EMU_DIR))"
	cd $(EMU_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: system-deps $(STAMP) $(EMU_STAMP) ## Create .venv, install everything incl. the emulated Pico's npm packages (idempotent)

run: setup ## The cart app, on simulated devices when no hardware is attached (then with the demo team, said on screen)
	$(BIN)/sonocart run --demo

lint: setup ## ruff
	$(BIN)/ruff check host ui tests firmware tools
	$(BIN)/ruff format --check host ui tests firmware tools

typecheck: setup typecheck-firmware ## mypy (host, ui; the firmware against the MicroPython stubs)
	$(BIN)/mypy

typecheck-firmware: setup ## mypy --strict: firmware/ against micropython-rp2-rpi-pico-stubs
	$(BIN)/python -m sonocart.firmware_tool.typecheck

pytest: setup ## pytest only (PYTEST_ARGS=... to narrow)
	$(BIN)/pytest $(PYTEST_ARGS)

test: setup lint typecheck pytest ## Everything CI checks: lint, types, all tests

flash: setup ## Build, flash and verify the pedal board (PORT=/dev/ttyACM0 to choose it, FORCE=1 for a dirty build)
	$(BIN)/sonocart firmware flash $(if $(PORT),--port $(PORT)) $(if $(FORCE),--force)

# Default: the real back end runs against a rig board emulated on this host. Real rig: RIG_ARGS="--rig /dev/sonocart-rig --pedal-port /dev/sonocart-pedal --probe-port /dev/sonocart-probe"
RIG_ARGS ?= --rig-emulated
MINUTES ?= 10

hil: setup ## Rig suite on simulated devices, the emulated Pico (every case) and a real rig with RIG_ARGS=...: JUnit XML + markdown report
	@mkdir -p artifacts
	$(BIN)/pytest tests/hil $(RIG_ARGS) --pico-all -o junit_family=xunit1 --junitxml=artifacts/hil-junit.xml --hil-report=artifacts/hil-report.md $(PYTEST_ARGS)
	@echo "reports: artifacts/hil-junit.xml artifacts/hil-report.md"

soak: setup ## Soak on simulated devices, random taps and link faults (MINUTES=N); report in artifacts/
	@mkdir -p artifacts
	$(BIN)/python -m tools.rig.soak --minutes $(MINUTES) --report artifacts/soak-report.md

fuzz: setup ## Hostile-input fuzzers for MINUTES=N (CI runs them bounded: tests/hostile/)
	$(BIN)/python -m tests.hostile.fuzz --minutes $(MINUTES)

bench: setup ## Benchmarks, printing measured ratios
	$(BIN)/python -m tools.bench
	$(BIN)/python -m tools.bench.gpu_scan
	$(BIN)/python -m tools.bench.engine_inputs

bench-ui: setup ## Live-screen display rate on a private Xvfb with everything updating (both screens)
	@for size in 1280x800 800x480; do $(BIN)/python tools/ui/bench_scenario.py --size $$size 2>/dev/null || exit 1; done

screenshots: setup ## Regenerate docs/screenshots/ (both cart screens) from the end-to-end procedure
	$(BIN)/python tools/ui/screenshots.py

clean: ## Remove build and test artifacts (keeps .venv)
	rm -rf artifacts .pytest_cache .mypy_cache .ruff_cache build *.egg-info

$(PIPVENV)/.ok:
	$(PYTHON) -m venv $(PIPVENV) && touch $@

wheels: $(PIPVENV)/.ok ## The cart's wheel set in build/wheels: every pin of packaging/requirements.lock, hash-checked by pip
	rm -rf $(WHEELS) && mkdir -p $(WHEELS)
	$(PIPVENV)/bin/pip wheel -q --require-hashes --no-deps -r packaging/requirements.lock -w $(WHEELS)
	$(PIPVENV)/bin/pip wheel -q --no-deps -w $(WHEELS) .

lock: setup ## Re-pin packaging/requirements.lock from pyproject.toml (runtime + ui), with every file's hash
	$(BIN)/pip-compile --quiet --generate-hashes --extra ui --strip-extras --no-emit-index-url \
	  --output-file packaging/requirements.lock pyproject.toml

install: wheels ## Install the cart: Debian packages, service user, /opt/sonocart release, /var/lib/sonocart, udev, systemd (DESTDIR=prefix)
	@if [ -z "$(DESTDIR)" ]; then $(MAKE) --no-print-directory system-deps DEBS="$(CART_DEB_PACKAGES)"; fi
	PYTHONPATH=host:. $(PYTHON) -m tools.sbom --out build/sbom.cdx.json
	PYTHONPATH=host $(PYTHON) -m tools.install install --root "$(or $(DESTDIR),/)" --wheels $(WHEELS) \
	  --sbom build/sbom.cdx.json $(if $(RELEASE_KEY),--release-key $(RELEASE_KEY))

sbom: wheels ## CycloneDX SBOM of every Python, npm, Debian and firmware component: build/sbom.cdx.json
	PYTHONPATH=host:. $(PYTHON) -m tools.sbom --out build/sbom.cdx.json

VERSION ?=
RELEASE_SIGNING_KEY ?=
bundle: setup sbom ## Signed update bundle build/sonocart-VERSION.bundle (VERSION=…, RELEASE_SIGNING_KEY=private.pem)
	@[ -n "$(VERSION)" ] && [ -n "$(RELEASE_SIGNING_KEY)" ] || { echo "make bundle VERSION=x.y.z RELEASE_SIGNING_KEY=key.pem"; exit 2; }
	$(BIN)/sonocart firmware build
	PYTHONPATH=host:. $(PYTHON) -m tools.sbom --out build/sbom.cdx.json
	$(BIN)/python -m tools.release bundle --key $(RELEASE_SIGNING_KEY) --version $(VERSION) --out build/sonocart-$(VERSION).bundle

uninstall: ## Remove the cart's software and service; records in /var/lib/sonocart stay unless PURGE=1
	PYTHONPATH=host $(PYTHON) -m tools.install uninstall --root "$(or $(DESTDIR),/)" $(if $(PURGE),--purge)
