# Two entry points on a fresh machine: `make run` (quick-scale pipeline) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORES  ?= all

.PHONY: install run report test bench lint format dryrun-paper clean

$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/snakemake

run: install
	$(BIN)/snakemake --cores $(CORES) --workflow-profile workflow/profiles/default

# Self-contained HTML report: every figure grouped by paper, with captions, and the claims table.
report: run
	$(BIN)/snakemake --report results/report.html

test: install
	$(BIN)/pytest -q

# Kernels vs NumPy / PyTorch / this machine's roofline -> benchmarks/out/ (BENCH_ARGS=--quick).
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check src tests workflow benchmarks
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint

format: install
	$(BIN)/ruff check --fix src tests workflow benchmarks
	$(BIN)/ruff format src tests workflow benchmarks
	$(BIN)/snakefmt Snakefile workflow

dryrun-paper: install
	$(BIN)/snakemake -n --config scale=paper

clean:
	rm -rf results logs .snakemake
