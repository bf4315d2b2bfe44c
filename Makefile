# The two commands of the README:  make book  and  make test  (and make lint, which CI runs before them).
# Both create the virtual environment .venv on first use (Python >= 3.10; 3.11 recommended).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.py

.PHONY: help venv test lint book check-book notebooks sweep sweep-full sweep-paper import-paper bench data clean

help:
	@echo "make test   - create .venv if needed and run the whole test suite"
	@echo "make lint   - ruff: lint (ruff check) and formatting (ruff format --check) of the Python sources"
	@echo "make book   - create .venv if needed, run the default sweep, build the HTML book into _build/html"
	@echo "make check-book - render every chapter of the built book offline in headless Chromium and check it"
	@echo "make sweep  - the default sweep (python -m linace.study.sweep) and the resampled runs (python -m linace.study.resample)"
	@echo "make sweep-full - make sweep, and the runs of the robustness chapter into data/robustness/C (5 minutes more)"
	@echo "make sweep-paper - the study on the authors' published data (data/paper/): records committed in data/paper/<el>/runs (about 18 minutes)"
	@echo "make bench  - run the benchmarks in benchmarks/ (scale.py: a 10^5-atom streamed fit, minutes)"
	@echo "make data   - recompute the reference DFT data with GPAW (hours; resumable)"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# the kernels that execute the chapters log errors only (why: scripts/ipython_kernel_config.py)
$(KERNEL_CONFIG): scripts/ipython_kernel_config.py | $(STAMP)
	install -D -m 644 $< $@

venv: $(STAMP) $(KERNEL_CONFIG)

test: $(STAMP)
	$(BIN)/python -m pytest

# ruff, configured in pyproject.toml ([tool.ruff]): the lint rules, then the formatting (checked, never
# rewritten here: `.venv/bin/ruff format $(LINT_PATHS)` and `.venv/bin/ruff check --fix` rewrite).
LINT_PATHS := src tests scripts benchmarks book
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

# The paired .ipynb files are generated from the py:percent sources (never edited by hand).
notebooks: $(STAMP)
	$(BIN)/jupytext --quiet --sync book/[0-9]*.py

# The default sweep first (its runs are rendered in the book's "Sweep runs" part and read by the
# results chapter), then the book itself; any notebook error or Sphinx warning fails the build.
book: $(STAMP) $(KERNEL_CONFIG) notebooks sweep
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

# The built book as a reader sees it, offline: every chapter rendered in headless Chromium (Debian's
# chromium), failing on unrendered maths, a console error or anything loaded from the network.
check-book: $(STAMP)
	$(BIN)/python scripts/check_book.py

# results/<run-id>.json and the executed notebooks book/sweep/<run-id>.ipynb (the default sweep, then the
# smoothness-prior refits that chapter 06 compares with its flat-prior runs), then the resampled runs
# results/resampled/<run-id>-N<size>-d<draw>.json (they reuse the sweep's cached design rows), then the
# same sweep on silicon's data once they are complete (results/Si/, pages in book/sweep/Si/) and
# silicon's second-version training sets over draws (results/Si/resampled/, chapter 07); up-to-date
# runs are skipped.
SI_RESAMPLED_SETS := clusters+dimers diverse
sweep: $(STAMP)
	$(BIN)/python -m linace.study.sweep
	$(BIN)/python -m linace.study.sweep --prior-comparison
	$(BIN)/python -m linace.study.resample
	$(BIN)/python -m linace.study.sweep --data-dir data/Si --if-complete --notebooks-dir book/sweep/Si
	if ls results/Si/*.json >/dev/null 2>&1; then \
	    $(BIN)/python -m linace.study.resample --data-dir data/Si --training-sets $(SI_RESAMPLED_SETS); fi

# The runs too many for make book's 10 minutes: the claims under every alternative to the study's silent
# choices (linace.study.robustness; 120 runs, about 5 minutes alone), written to data/robustness/C, where
# they are committed with the code digest of each record; chapter 10 and the landing page read them.
sweep-full: sweep
	$(BIN)/python -m linace.study.robustness --results-root data/robustness/C

# The study on the authors' published data (data/paper/C, data/paper/Si; chapter 09). Their carbon sets hold
# ten times the atoms of ours: these runs take about 18 minutes on 2 idle cores, longer than make book may, so their
# records are committed in data/paper/<element>/runs/ (each with the code digest that made it) and the book
# reads them. Their design rows are cached apart (.cache/paper) and dropped afterwards. The executed
# notebooks go to .cache/paper/notebooks (not committed).
PAPER_SWEEP = $(BIN)/python -m linace.study.sweep --body-orders 2 3 4 5 --variants standard pure --workers 1
sweep-paper: $(STAMP)
	LINACE_CACHE=.cache/paper/design $(PAPER_SWEEP) --data-dir data/paper/Si \
		--training-sets dimers clusters Si23 Si234 Si5 clusters+dimers \
		--results-dir data/paper/Si/runs --notebooks-dir .cache/paper/notebooks/Si
	LINACE_CACHE=.cache/paper/design $(PAPER_SWEEP) --data-dir data/paper/C --training-sets dimers narrow diverse \
		--results-dir data/paper/C/runs --notebooks-dir .cache/paper/notebooks/C
	rm -rf .cache/paper/design

# Bring the authors' data in again from a clone of github.com/apolmiguel/aceconverge2025 (REPO=path); the
# committed data/paper/ came from this, at the commit the script checks. Needs pandas for one pickle.
import-paper: $(STAMP)
	$(BIN)/python -m pip install --quiet pandas
	scripts/import_paper_data.sh $(REPO) --overwrite

# Regenerate the reference data with GPAW: hours of CPU, resumable (finished structures are cached in
# data/<element>/dft_cache.db), then the spin-restricted reference of the atom and dimers
# (scripts/generate_restricted.sh). Needs Debian's libxc-dev libopenblas-dev g++; gpaw 26.x builds only with CC=g++.
data: $(STAMP)
	CC=g++ $(BIN)/python -m pip install --quiet -e ".[dft]"
	scripts/generate_data.sh 2

bench: $(STAMP)
	$(BIN)/python benchmarks/design_matrix.py
	$(BIN)/python benchmarks/design_matrix.py --structures 3 --body-orders 3 4 5 --variants standard pure --no-pyace
	$(BIN)/python benchmarks/calculator.py
	$(BIN)/python benchmarks/solver.py
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf _build
