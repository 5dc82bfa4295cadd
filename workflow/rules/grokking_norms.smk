# Paper 004: grokking beyond the Euclidean norm of model parameters.
#   data (ground truth per family and seed) -> training (experiment, job, seed batch)
#   -> cube per experiment -> figures -> claims.
# Sweeps: config/grokking_norms.yaml; code: src/implicit_bias/papers/grokking_norms/.
# The nn experiments (modular addition, MNIST) exist at scale paper only and need PyTorch + a GPU.


localrules:
    grokking_norms_data,
    grokking_norms_cube,
    grokking_norms_figure,
    grokking_norms_claims,
    grokking_norms,


rule grokking_norms_data:
    """Ground truth (b*, A* or the teacher) of one problem family for one seed."""
    input:
        package_files(*paper_module("grokking_norms").DATA_SOURCES),
    output:
        "results/grokking_norms/data/{truth}/seed{seed}.nc",
    log:
        "logs/grokking_norms/data/{truth}_seed{seed}.log",
    wildcard_constraints:
        truth=r"[a-z][a-z0-9_]*",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    resources:
        mem_mb=data_mem_mb("grokking_norms"),
    params:
        truth=data_params("grokking_norms"),
    script:
        "../scripts/grokking_norms_data.py"


rule grokking_norms_train:
    """Every configuration of one job (one batched kernel call per problem) per seed."""
    input:
        data=training_data(
            "grokking_norms", "results/grokking_norms/data/{truth}/seed{seed}.nc"
        ),
        code=training_code("grokking_norms"),
        kernels=training_kernels("grokking_norms"),
    output:
        # Snakemake forbids `benchmark:` on cached rules; the job times itself into the .tsv.
        multiext(
            "results/grokking_norms/runs/{experiment}/{config_id}/{seeds}",
            ".nc",
            ".benchmark.tsv",
        ),
    log:
        "logs/grokking_norms/train/{experiment}/{config_id}_{seeds}.log",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    threads: 1
    resources:
        mem_mb=training_resource("grokking_norms", "mem_mb"),
        runtime=training_resource("grokking_norms", "runtime"),
    params:
        job=training_params("grokking_norms"),
    script:
        "../scripts/grokking_norms_train.py"


rule grokking_norms_cube:
    """The jobs of one experiment unstacked into dims named after the paper's symbols."""
    input:
        runs=cube_runs("grokking_norms"),
        code=package_files("store.py", "papers/grokking_norms/runs.py"),
    output:
        "results/grokking_norms/cube_{experiment}.nc",
    log:
        "logs/grokking_norms/cube_{experiment}.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        config=cube_params("grokking_norms"),
    script:
        "../scripts/grokking_norms_cube.py"


rule grokking_norms_figure:
    """Fig. N of the paper from the cubes it draws on."""
    input:
        cubes=figure_reference("grokking_norms"),
        code=package_files(
            "plotting.py",
            "papers/grokking_norms/analysis.py",
            "papers/grokking_norms/figures.py",
            "papers/grokking_norms/datasets.py",
        ),
    output:
        pdf="results/figures/grokking_norms/{figure}.pdf",
        png=report(
            "results/figures/grokking_norms/{figure}.png",
            caption="../report/grokking_norms/caption.rst",
            category="grokking_norms",
            subcategory="{figure}",
        ),
    log:
        "logs/grokking_norms/{figure}_figure.log",
    wildcard_constraints:
        figure=r"fig\d+",
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/grokking_norms_figure.py"


rule grokking_norms_claims:
    """The paper's claims (checks.py registers them; tolerances from spec section 8), measured
    from the cubes."""
    input:
        cubes=expand(
            "results/grokking_norms/cube_{experiment}.nc",
            experiment=paper_module("grokking_norms").claims_experiments(
                config["grokking_norms"], SCALE
            ),
        ),
        code=package_files(
            "claims.py",
            "papers/grokking_norms/analysis.py",
            "papers/grokking_norms/checks.py",
            "papers/grokking_norms/claims_sparse.py",
            "papers/grokking_norms/claims_depth.py",
            "papers/grokking_norms/claims_matrix.py",
            "papers/grokking_norms/claims_teacher.py",
        ),
    output:
        "results/grokking_norms/claims.csv",
    log:
        "logs/grokking_norms/claims.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        settings=settings_params("grokking_norms"),
    script:
        "../scripts/grokking_norms_claims.py"


rule grokking_norms_nn:
    """GPU-only neural-network grids (scale paper): `snakemake grokking_norms_nn --config scale=paper`."""
    input:
        [
            f
            for e in ("modular_addition", "mnist")
            if e in config["grokking_norms"][SCALE]["experiments"]
            for f in run_files("grokking_norms", e)
        ],


rule grokking_norms:
    """Target: every figure and the claims of paper 004 (the nn grids: rule grokking_norms_nn)."""
    input:
        paper_targets("grokking_norms"),
