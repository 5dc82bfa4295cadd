# Two entry points on a fresh machine: `make run` (quick-scale pipeline) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORES  ?= all

.PHONY: install install-dev run report ledger test bench lint format dryrun-paper clean

# `make run` installs what the pipeline needs; the test/lint tools (and the SLURM executor plugin
# for the SLURM test) come with `make test`. The plugin asks `scontrol` for the cluster's settings
# at every Snakemake start: 10 s where SLURM's tools are installed but no controller answers.
$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(BIN)/snakemake
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/snakemake

install-dev: $(VENV)/.dev-installed

run: install
	$(BIN)/snakemake --cores $(CORES) --workflow-profile workflow/profiles/default

# Self-contained HTML report: every figure grouped by paper, with captions, and the claims table.
report: run
	$(BIN)/snakemake --report results/report.html

# The ledger of the quick run (seeds 0-2) recorded in docs/ and the README's status table from it.
ledger: run
	mkdir -p docs
	cp results/tables/ledger.csv results/tables/ledger.md results/tables/ledger_summary.csv docs/
	cp results/tables/claims.csv results/tables/claims.md docs/
	$(BIN)/python -m implicit_bias.ledger readme docs/ledger_summary.csv README.md

test: install-dev
	$(BIN)/pytest -q

# Kernels vs NumPy / PyTorch / this machine's roofline -> benchmarks/out/ (BENCH_ARGS=--quick).
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests workflow benchmarks
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint

format: install-dev
	$(BIN)/ruff check --fix src tests workflow benchmarks
	$(BIN)/ruff format src tests workflow benchmarks
	$(BIN)/snakefmt Snakefile workflow

dryrun-paper: install
	$(BIN)/snakemake -n --config scale=paper

clean:
	rm -rf results logs .snakemake
