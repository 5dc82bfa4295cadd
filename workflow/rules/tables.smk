# The claims table of every selected paper: the project's proof that it reproduces.


localrules:
    claims_table,


rule claims_table:
    input:
        expand("results/{paper}/claims.csv", paper=config["papers"]),
    output:
        csv="results/tables/claims.csv",
        md="results/tables/claims.md",
    log:
        "logs/claims_table.log",
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/claims_table.py"
