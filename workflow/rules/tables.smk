# The claims table of every selected paper: the project's proof that it reproduces.


localrules:
    claims_table,


rule claims_table:
    input:
        expand("results/{paper}/claims.csv", paper=config["papers"]),
    output:
        csv=report(
            "results/tables/claims.csv",
            caption="../report/claims.rst",
            category="claims",
            subcategory="all papers",
        ),
        md="results/tables/claims.md",
    log:
        "logs/claims_table.log",
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/claims_table.py"
