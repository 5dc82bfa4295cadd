# Reproduces five papers on the implicit regularization of gradient methods.
#   snakemake --cores 2                      every selected paper at the configured scale
#   snakemake --cores 2 benign_overfitting   one paper (target rule = pipeline key)
#   snakemake --cores 2 results/figures/benign_overfitting/fig2.png
import sys

from snakemake.utils import min_version

min_version("8.20")

try:
    from implicit_bias.config import check_files_or_exit, validate_or_exit
except ImportError:
    sys.exit(
        "error: the package 'implicit_bias' is not importable from this Python; "
        "run `make install` (or `pip install -e .`) and use .venv/bin/snakemake"
    )

# A YAML syntax error is reported with its file and line before Snakemake parses the files.
check_files_or_exit(
    [
        "config/config.yaml",
        "config/benign_overfitting.yaml",
        "config/step_size_bias.yaml",
        "config/matrix_sensing.yaml",
        "config/blessing_of_depth.yaml",
        "config/grokking_norms.yaml",
    ]
)


configfile: "config/config.yaml"
configfile: "config/benign_overfitting.yaml"
configfile: "config/step_size_bias.yaml"
configfile: "config/matrix_sensing.yaml"
configfile: "config/blessing_of_depth.yaml"
configfile: "config/grokking_norms.yaml"


# Unknown keys, wrong types and bad values stop here, before any job runs.
validate_or_exit(config, f"{workflow.basedir}/workflow/schemas")


# `snakemake --report results/report.html`: figures grouped by paper, captions in workflow/report/.
report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/kernels.smk"
include: "workflow/rules/benign_overfitting.smk"
include: "workflow/rules/step_size_bias.smk"
include: "workflow/rules/matrix_sensing.smk"
include: "workflow/rules/blessing_of_depth.smk"
include: "workflow/rules/grokking_norms.smk"
include: "workflow/rules/tables.smk"


rule all:
    default_target: True
    input:
        [paper_targets(paper) for paper in config["papers"]],
        "results/tables/claims.csv",
        "results/tables/claims.md",
        "results/tables/ledger.csv",
        "results/tables/ledger.md",
        "results/tables/ledger_summary.csv",
        "results/tables/ledger_summary.md",
