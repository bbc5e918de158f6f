# The course's commands. Each one sets up .venv first (once; a second run reuses it).
#   make lab     open the course in JupyterLab at the start notebook
#   make test    run the whole test suite (executes every notebook, offline)
#   make course  run every notebook headless, in order, into build/ with a timing summary
#   make site    build the course site (lessons + executed notebooks) into build/site/
#   make bench   print the course's benchmark figures and write results/benchmark.json
#   make model   re-train the shipped course model from its seed (about an hour on 2 CPU cores)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test course site bench model env clean
.DEFAULT_GOAL := lab

env: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { \
	  echo "error: the course needs Python 3.10 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "       install a newer Python, then run: make PYTHON=python3.11 $(MAKECMDGOALS)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-nodeps.txt --no-deps -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(PY) -m ragft.course.kernel
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(LAB_ARGS)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

course: $(STAMP)
	$(PY) -m ragft course

site: $(STAMP)
	@test -d build/notebooks || $(PY) -m ragft course
	$(PY) -m ragft site

bench: $(STAMP)
	$(PY) -m ragft bench $(PART)

model: $(STAMP)
	$(PY) -m ragft model

clean:
	rm -rf build $(VENV)
