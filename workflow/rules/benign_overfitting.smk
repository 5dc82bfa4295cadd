# Paper 000 (Zhou & Ge 2023): benign overfitting of v + alpha(w^2 - u^2).
#   data (d, seed) -> training (experiment, method x d, seed batch) -> cube per experiment
#   -> Fig. 1 (dynamics), Fig. 2 (dimension), claims.
# Sweeps: config/benign_overfitting.yaml; code: src/implicit_bias/papers/benign_overfitting/.


# Cheap steps run on the submitting host, not as cluster jobs.
localrules:
    benign_overfitting_cube,
    benign_overfitting_fig1,
    benign_overfitting_fig2,
    benign_overfitting_claims,
    benign_overfitting,


rule benign_overfitting_data:
    """One draw (X, xi, y, beta*) per (d, seed); shared by every method and experiment."""
    input:
        package_files(*paper_module("benign_overfitting").DATA_SOURCES),
    output:
        "results/benign_overfitting/data/d{d}/seed{seed}.nc",
    log:
        "logs/benign_overfitting/data/d{d}_seed{seed}.log",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    resources:
        mem_mb=data_mem_mb("benign_overfitting"),
    params:
        problem=data_params("benign_overfitting"),
    script:
        "../scripts/benign_overfitting_data.py"


rule benign_overfitting_train:
    """One configuration (method, d) on a batch of seeds."""
    input:
        data=training_data(
            "benign_overfitting", "results/benign_overfitting/data/d{d}/seed{seed}.nc"
        ),
        code=training_code("benign_overfitting"),
        kernels=training_kernels("benign_overfitting"),
    output:
        # Snakemake forbids `benchmark:` on cached rules; the job times itself into the .tsv.
        multiext(
            "results/benign_overfitting/runs/{experiment}/{config_id}/{seeds}",
            ".nc",
            ".benchmark.tsv",
        ),
    log:
        "logs/benign_overfitting/train/{experiment}/{config_id}_{seeds}.log",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    threads: 1
    resources:
        mem_mb=training_resource("benign_overfitting", "mem_mb"),
        runtime=training_resource("benign_overfitting", "runtime"),
    params:
        job=training_params("benign_overfitting"),
    script:
        "../scripts/benign_overfitting_train.py"


rule benign_overfitting_cube:
    """All runs of one experiment as an (estimator, d, seed[, t]) cube."""
    input:
        runs=cube_runs("benign_overfitting"),
        code=package_files("store.py", "papers/benign_overfitting/runs.py"),
    output:
        "results/benign_overfitting/cube_{experiment}.nc",
    log:
        "logs/benign_overfitting/cube_{experiment}.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        config=cube_params("benign_overfitting"),
    script:
        "../scripts/benign_overfitting_cube.py"


rule benign_overfitting_fig1:
    """Fig. 1: training dynamics of one run (losses; ||alpha(w^2-u^2)||, ||v||) with T1."""
    input:
        cube="results/benign_overfitting/cube_dynamics.nc",
        code=package_files("plotting.py", "papers/benign_overfitting/figures.py"),
    output:
        pdf="results/figures/benign_overfitting/fig1.pdf",
        png=report(
            "results/figures/benign_overfitting/fig1.png",
            caption="../report/benign_overfitting/fig1.rst",
            category="benign_overfitting",
            subcategory="fig1",
        ),
    log:
        "logs/benign_overfitting/fig1.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        figure="fig1",
        model=config["benign_overfitting"]["model"],
    script:
        "../scripts/benign_overfitting_figure.py"


rule benign_overfitting_fig2:
    """Fig. 2: test loss against d for every method, mean +- std over seeds, with rates."""
    input:
        cube="results/benign_overfitting/cube_dimension.nc",
        code=package_files("plotting.py", "papers/benign_overfitting/figures.py"),
    output:
        pdf="results/figures/benign_overfitting/fig2.pdf",
        png=report(
            "results/figures/benign_overfitting/fig2.png",
            caption="../report/benign_overfitting/fig2.rst",
            category="benign_overfitting",
            subcategory="fig2",
        ),
    log:
        "logs/benign_overfitting/fig2.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        figure="fig2",
        model=config["benign_overfitting"]["model"],
    script:
        "../scripts/benign_overfitting_figure.py"


rule benign_overfitting_claims:
    """The registered claims of paper 000 (checks.py), measured from the two cubes."""
    input:
        dynamics="results/benign_overfitting/cube_dynamics.nc",
        dimension="results/benign_overfitting/cube_dimension.nc",
        code=package_files(
            "claims.py",
            "papers/benign_overfitting/checks.py",
            "papers/benign_overfitting/analysis.py",
            "papers/benign_overfitting/theory.py",
        ),
    output:
        "results/benign_overfitting/claims.csv",
    log:
        "logs/benign_overfitting/claims.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        settings=settings_params("benign_overfitting"),
    script:
        "../scripts/benign_overfitting_claims.py"


rule benign_overfitting:
    """Target: every figure and the claims of paper 000."""
    input:
        paper_targets("benign_overfitting"),
