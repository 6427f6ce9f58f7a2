# Two entry points: `make book` builds the book, `make test` runs the tests.
# Both create .venv on first use and install the package with the pinned versions in
# requirements.lock; the venv is reinstalled when pyproject.toml or the lock file changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: book test pdf run validate serve preview browser benchmark benchmark-sweep benchmark-languages clean lock sync lab

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test,dev]"
	# A kernel spec inside the venv, so papermill's "python3" kernel is this venv's Python.
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (alliance-book)" >/dev/null
	touch $(STAMP)

# The book in every language it has (English, Thai, Korean): _build/html, _build/th/html, _build/ko/html.
book: $(STAMP)
	$(BIN)/alliance-book build --language all

test: $(STAMP) browser node_modules
	$(BIN)/python -m pytest

# The whole book and every edition in params/ as PDFs in _build/pdf (Paged.js in the system Chromium).
pdf: $(STAMP) browser node_modules
	$(BIN)/alliance-book pdf --language all

# Paged.js (the PDF) and axe-core (accessibility tests) from npm, as pinned in package-lock.json.
node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch node_modules

# A Chromium for the browser tests: the system's, Debian's (installed as root), or Playwright's.
browser: $(STAMP)
	VENV=$(VENV) scripts/ensure-browser

run: $(STAMP)
	$(BIN)/alliance-book run

validate: $(STAMP)
	$(BIN)/alliance-book validate

# Live preview while writing: rebuilds pages as they are saved (chapters: rerun `make run`).
serve: $(STAMP)
	$(BIN)/alliance-book build
	$(BIN)/jupyter-book config sphinx . >/dev/null
	$(BIN)/sphinx-autobuild . _build/live --port $(PORT) --watch book \
	  --ignore "*/_build/*" --ignore "*/.venv/*" --ignore "*/.git/*" --ignore "*/notebooks/*"

# Serve the last good build as it is (an edition with EDITION=NAME).
# The languages' books sit beside the English one, so the folder above it is served: open /html/.
preview: book
	@echo "English: http://localhost:$(PORT)/html/  Thai: http://localhost:$(PORT)/th/html/  Korean: http://localhost:$(PORT)/ko/html/"
	$(BIN)/python -m http.server --directory $(if $(EDITION),_build/editions/$(EDITION),_build) $(PORT)

# Bring each notebook's text twin (notebooks/NN.md, MyST) in step with the .ipynb, or back.
sync: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.ipynb

# JupyterLab in the project's environment and kernel: open notebooks/ and run a chapter cell by cell.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

benchmark: $(STAMP)
	$(BIN)/python benchmarks/build_speed.py

# A sweep of 12 editions on a local Dask cluster of 2 workers against the naive loop and a loop of builds.
benchmark-sweep: $(STAMP)
	$(BIN)/python benchmarks/sweep_speed.py

# The book in English, Thai and Korean against English alone (goal: at most 1.6x), and the no-op rebuild.
benchmark-languages: $(STAMP)
	$(BIN)/python benchmarks/language_speed.py

clean:
	rm -rf _build book/_generated book/chapters/*.ipynb .pytest_cache conf.py

# Refresh the pins after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/alliance-book-lock && $(PYTHON) -m venv /tmp/alliance-book-lock
	/tmp/alliance-book-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/alliance-book-lock/bin/python -m pip install --quiet -e ".[test,dev]"
	/tmp/alliance-book-lock/bin/python -m pip freeze --exclude-editable | grep -v '^alliance-book' > requirements.lock
