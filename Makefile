# The kiosk controller's commands. The README's two are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench soak chaos golden clean

$(STAMP): setup.cfg pyproject.toml scripts/debian-deps
	bash scripts/debian-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m sim.run_all

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: $(STAMP) lint
	bash scripts/run-tests

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Until a dedicated soak exists: every long-running scenario, in full.
soak: $(STAMP)
	KIOSK_CHAOS=full $(BIN)/python -m pytest -m "slow or chaos" -p no:cacheprovider tests

chaos: $(STAMP)
	KIOSK_CHAOS=full $(BIN)/python -m pytest -m chaos -p no:cacheprovider tests

golden: $(STAMP)
	KIOSK_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest tests/screens -k golden

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
