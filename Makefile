# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench eval lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# pyproject.toml declares compatible ranges; constraints.txt pins the exact versions tested.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The main job on the bundled corpus with the embedded (offline) default: index the corpus,
# then review it (each report against the others). Exit code 1 only means "error-level findings
# were reported", which is the point of the demo.
demo: $(STAMP)
	$(BIN)/drafter index corpus/
	$(BIN)/drafter review corpus/ ; status=$$?; [ $$status -le 1 ]
	$(BIN)/drafter draft examples/facts-zwxt.yaml -o runs/demo-draft.md
	cat runs/demo-draft.md

# The linter first (ruff: pyflakes, import order, line length; pyproject.toml [tool.ruff]): a
# finding fails the target before the tests run. pytest exits 5 when it collected no tests: that
# is a failure, not a pass.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest ; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$status

bench: $(STAMP)
	$(BIN)/python benchmarks/review_bench.py

# The default eval suite (offline): review precision/recall per category and drafting metrics;
# exits 1 when a target is missed. Results in evals/results/<run-id>/ (results.json, report.html).
eval: $(STAMP)
	$(BIN)/drafter eval evals/default.yaml

# Re-pin constraints.txt: the newest releases within pyproject's ranges, resolved in a fresh
# virtual environment and frozen (pip itself and drafter left out). Review the diff and run
# `make test` (which reinstalls from the new pins) before committing it.
LOCK_VENV := .venv-lock
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; $(LOCK_VENV)/bin/pip freeze --all --exclude-editable --exclude pip; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .hypothesis
