# Containers vs. Virtual Machines: an interactive course.
#   make lab    set up (first time only) and start JupyterLab on lesson 00
#   make test   set up (first time only) and run every test
# Every target is idempotent: set-up is skipped when .venv is current.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 8888
JOBS    ?= 2
PYTEST_ARGS ?=
LAB_ARGS ?=
FIRST_LESSON := $(firstword $(sort $(wildcard lessons/00-*.ipynb)))

# Prefer the kernel and config of .venv over any in the user's home.
export JUPYTER_PREFER_ENV_PATH := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

ROOT_FLAG  := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
NO_BROWSER := $(if $(or $(DISPLAY),$(WAYLAND_DISPLAY),$(filter Darwin,$(shell uname -s))),,--no-browser)

.PHONY: help install lab test test-fast nbval run notebooks student html a11y schedule check bench latency lock lint release clean
.PHONY: hub hub-stop hub-reset hub-check bench-hub bench-hub-memory

help:
	@echo "make lab        start JupyterLab on $(FIRST_LESSON) (installs first)"
	@echo "make test       run every test (installs first)"
	@echo "make test-fast  unit, data and anatomy tests only"
	@echo "make run        execute every lesson headless with papermill into build/"
	@echo "make notebooks  re-execute the committed lessons in place (fresh kernel)"
	@echo "make student    build the student version (solutions removed) into build/student/"
	@echo "make html       build the offline static site of the whole course into build/site/"
	@echo "make a11y       accessibility audit (axe-core) of the site and of every lesson in JupyterLab: build/a11y.md"
	@echo "make schedule   regenerate instructor/schedule.md from the lessons' time estimates"
	@echo "make check      the one-minute setup check (PASS/FAIL per item)"
	@echo "make bench      run the benchmarks and print their figures"
	@echo "make latency    browser round trip per calculator of every lesson (median, p95) into build/latency.md"
	@echo "make lint       the git hook's checks on every file (ruff, notebook policy, data, large files)"
	@echo "make release    versioned wheel, student version and site with SHA256SUMS into build/release/"
	@echo "make lock       re-resolve requirements.lock (and hub/requirements.lock) from pyproject.toml"
	@echo "make hub        the workshop hub: JupyterHub for a room on this Linux server (root; installs first)"
	@echo "make hub-stop   stop the hub (and every learner's server);  make hub-reset  remove its learners and state"
	@echo "make bench-hub  how many learners this server holds: 10, 20, 30 at once into build/hub-bench.md"
	@echo "make clean      remove .venv, build/ and caches"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	@echo "== installing the course environment into $(VENV) (first time: about a minute)"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(STAMP)

lab: $(STAMP)
	@echo "== starting JupyterLab on $(FIRST_LESSON); open the URL printed below (Ctrl-C stops it)"
	NUMPY_MADVISE_HUGEPAGE=$${NUMPY_MADVISE_HUGEPAGE:-0} $(BIN)/jupyter lab $(FIRST_LESSON) --ip=127.0.0.1 --port=$(PORT) $(NO_BROWSER) $(ROOT_FLAG) \
	  --LabApp.news_url=None --LabApp.app_settings_dir=$(CURDIR)/lab/settings --ServerApp.root_dir=$(CURDIR) \
	  --LabApp.default_url=/lab/tree/$(FIRST_LESSON) \
	  --ServerApp.kernel_websocket_connection_class=widgets.labserver.NoDelayConnection $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not papermill" tests $(PYTEST_ARGS)

nbval: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope lessons $(PYTEST_ARGS)

run: $(STAMP)
	$(BIN)/python -m tools.run_lessons --out build/run

notebooks: $(STAMP)
	$(BIN)/python -m tools.execute_notebooks lessons/*.ipynb

student: $(STAMP)
	$(BIN)/python -m tools.student --out build/student

html: $(STAMP)
	$(BIN)/python -m tools.site --out build/site

# The accessibility audit: axe-core on every page of the static site and on every lesson run in JupyterLab.
a11y: $(STAMP)
	$(BIN)/python -m tools.a11y --out build

schedule: $(STAMP)
	$(BIN)/python -m tools.schedule --out instructor/schedule.md

check: $(STAMP)
	$(BIN)/python -m widgets.selfcheck

bench: $(STAMP)
	$(BIN)/python -m tools.bench

latency: $(STAMP)
	$(BIN)/python -m tools.latency

lock: $(STAMP)
	$(BIN)/python -m uv --version >/dev/null 2>&1 || $(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m uv pip compile pyproject.toml --extra test --universal \
	  --python-version 3.11 --no-header -o requirements.lock
	$(BIN)/python -m uv pip compile pyproject.toml --extra hub --universal -c requirements.lock \
	  --python-version 3.11 --no-header -o hub/requirements.lock

# The git hook's checks (.pre-commit-config.yaml) on every file: ruff, the notebook policy, data, large files.
lint: $(STAMP)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# A versioned release into build/release/ (tools/release.py): the tree must be clean and `make test` pass
# (SKIP_TESTS=1 skips the tests: only for the release's own test, which runs them itself elsewhere).
release: $(STAMP)
	$(BIN)/python -m tools.release --out build/release

# -- the workshop hub (hub/, instructor/hub.md): JupyterHub on one Linux server, as root --------------------
# `make hub` installs JupyterHub and its proxy into build/hub (HUB_DIR) the first time, then runs the hub in the
# foreground; HUB_* variables (hub/settings.py) change its address, limits and culler.
hub: $(STAMP)
	@$(BIN)/python -m hub.run

hub-stop: $(STAMP)
	@$(BIN)/python -m hub.run --stop

hub-reset: $(STAMP)
	@$(BIN)/python -m hub.run --reset

hub-check: $(STAMP)
	@$(BIN)/python -m hub.run --check

bench-hub: $(STAMP)
	$(BIN)/python -m tools.hubbench

bench-hub-memory: $(STAMP)
	$(BIN)/python -m tools.hubmemory

clean:
	rm -rf $(VENV) build .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
