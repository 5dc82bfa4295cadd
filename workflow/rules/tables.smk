# The claims table and the reproduction ledger of every selected paper: the project's product.


localrules:
    claims_table,
    ledger,


rule claims_table:
    input:
        expand("results/{paper}/claims.csv", paper=config["papers"]),
    output:
        csv=report(
            "results/tables/claims.csv",
            caption="../report/claims.rst",
            category="ledger",
            subcategory="claims",
        ),
        md="results/tables/claims.md",
    log:
        "logs/claims_table.log",
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/claims_table.py"


rule ledger:
    """Every figure and table of the selected papers with its status, derived from the claims."""
    input:
        claims="results/tables/claims.csv",
        ledgers=package_files(
            *[f"papers/{paper}/ledger.yaml" for paper in config["papers"]], "ledger.py"
        ),
    output:
        csv=report(
            "results/tables/ledger.csv",
            caption="../report/ledger.rst",
            category="ledger",
            subcategory="ledger",
        ),
        md="results/tables/ledger.md",
        summary_csv=report(
            "results/tables/ledger_summary.csv",
            caption="../report/ledger_summary.rst",
            category="ledger",
            subcategory="summary",
        ),
        summary_md="results/tables/ledger_summary.md",
    log:
        "logs/ledger.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        papers=config["papers"],
    script:
        "../scripts/ledger.py"
