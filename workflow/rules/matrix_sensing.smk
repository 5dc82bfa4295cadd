# Paper 002 (Li, Ma & Zhang 2018): over-parameterized matrix sensing from small initialization.
#   data (measurement type, d, r, m, repeat) -> training (experiment, job, repeat batch)
#   -> cube per experiment -> Figs. 1-5 -> claims.
# Sweeps: config/matrix_sensing.yaml; code: src/implicit_bias/papers/matrix_sensing/.


localrules:
    matrix_sensing_cube,
    matrix_sensing_figure,
    matrix_sensing_claims,
    matrix_sensing,


rule matrix_sensing_data:
    """X*, y (and network inputs) of one draw; the training job redraws G and checks its hash."""
    input:
        package_files(*paper_module("matrix_sensing").DATA_SOURCES),
    output:
        "results/matrix_sensing/data/{measurement}/d{d}_r{r}_m{m}/seed{seed}.nc",
    log:
        "logs/matrix_sensing/data/{measurement}_d{d}_r{r}_m{m}_seed{seed}.log",
    wildcard_constraints:
        measurement="gaussian32|gaussian64|rankone",
        r=r"\d+",
        m=r"\d+",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    resources:
        mem_mb=data_mem_mb("matrix_sensing"),
    params:
        problem=data_params("matrix_sensing"),
    script:
        "../scripts/matrix_sensing_data.py"


rule matrix_sensing_train:
    """Every run of one job (an alpha batch, a PGD/GD pair or the network runs) per repeat."""
    input:
        data=training_data(
            "matrix_sensing",
            "results/matrix_sensing/data/{measurement}/d{d}_r{r}_m{m}/seed{seed}.nc",
        ),
        code=training_code("matrix_sensing"),
        kernels=training_kernels("matrix_sensing"),
    output:
        # Snakemake forbids `benchmark:` on cached rules; the job times itself into the .tsv.
        multiext(
            "results/matrix_sensing/runs/{experiment}/{config_id}/{seeds}",
            ".nc",
            ".benchmark.tsv",
        ),
    log:
        "logs/matrix_sensing/train/{experiment}/{config_id}_{seeds}.log",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    threads: 1
    resources:
        mem_mb=training_resource("matrix_sensing", "mem_mb"),
        runtime=training_resource("matrix_sensing", "runtime"),
    params:
        job=training_params("matrix_sensing"),
    script:
        "../scripts/matrix_sensing_train.py"


rule matrix_sensing_cube:
    """The jobs of one experiment stacked along d (and m/d, or the network variant)."""
    input:
        runs=cube_runs("matrix_sensing"),
        code=package_files("store.py", "papers/matrix_sensing/runs.py"),
    output:
        "results/matrix_sensing/cube_{experiment}.nc",
    log:
        "logs/matrix_sensing/cube_{experiment}.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        config=cube_params("matrix_sensing"),
    script:
        "../scripts/matrix_sensing_cube.py"


rule matrix_sensing_figure:
    """Fig. N of the paper from the cubes it draws on."""
    input:
        cubes=figure_reference("matrix_sensing"),
        code=package_files(
            "plotting.py",
            "papers/matrix_sensing/figures.py",
            "papers/matrix_sensing/theory.py",
        ),
    output:
        pdf="results/figures/matrix_sensing/{figure}.pdf",
        png=report(
            "results/figures/matrix_sensing/{figure}.png",
            caption="../report/matrix_sensing/caption.rst",
            category="matrix_sensing",
            subcategory="{figure}",
        ),
    log:
        "logs/matrix_sensing/{figure}_figure.log",
    wildcard_constraints:
        figure=r"fig\d+",
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/matrix_sensing_figure.py"


rule matrix_sensing_claims:
    """Acceptance checks of spec section 9, measured from the cubes."""
    input:
        cubes=expand(
            "results/matrix_sensing/cube_{experiment}.nc",
            experiment=paper_module("matrix_sensing").EXPERIMENTS,
        ),
        code=package_files(
            "claims.py",
            "papers/matrix_sensing/checks.py",
            "papers/matrix_sensing/theory.py",
        ),
    output:
        "results/matrix_sensing/claims.csv",
    log:
        "logs/matrix_sensing/claims.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        settings=settings_params("matrix_sensing"),
    script:
        "../scripts/matrix_sensing_claims.py"


rule matrix_sensing:
    """Target: every figure and the claims of paper 002."""
    input:
        paper_targets("matrix_sensing"),
