# Paper 001 (Nacson et al. 2022): implicit bias of the step size in diagonal linear networks.
#   data (mu, seed) -> training (figure, panel mu x D, seed batch: the alpha x eta grid)
#   -> cube per figure -> Figs. 1-6 -> claims.
# Sweeps: config/step_size_bias.yaml; code: src/implicit_bias/papers/step_size_bias/.


localrules:
    step_size_bias_cube,
    step_size_bias_figure,
    step_size_bias_claims,
    step_size_bias,


rule step_size_bias_data:
    """One draw (X, y, beta*, init and kick directions) per (mu, seed)."""
    input:
        package_files(*paper_module("step_size_bias").DATA_SOURCES),
    output:
        "results/step_size_bias/data/mu{mu}/seed{seed}.nc",
    log:
        "logs/step_size_bias/data/mu{mu}_seed{seed}.log",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    resources:
        mem_mb=data_mem_mb("step_size_bias"),
    params:
        problem=data_params("step_size_bias"),
    script:
        "../scripts/step_size_bias_data.py"


rule step_size_bias_train:
    """The alpha x eta grid of one panel (mu, D) of one figure, on a batch of seeds."""
    input:
        data=training_data(
            "step_size_bias", "results/step_size_bias/data/mu{mu}/seed{seed}.nc"
        ),
        code=training_code("step_size_bias"),
        kernels=training_kernels("step_size_bias"),
    output:
        # Snakemake forbids `benchmark:` on cached rules; the job times itself into the .tsv.
        multiext(
            "results/step_size_bias/runs/{experiment}/{config_id}/{seeds}",
            ".nc",
            ".benchmark.tsv",
        ),
    log:
        "logs/step_size_bias/train/{experiment}/{config_id}_{seeds}.log",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    threads: 1
    resources:
        mem_mb=training_resource("step_size_bias", "mem_mb"),
        runtime=training_resource("step_size_bias", "runtime"),
    params:
        job=training_params("step_size_bias"),
    script:
        "../scripts/step_size_bias_train.py"


rule step_size_bias_cube:
    """All panels of one figure as a (mu, D, seed, alpha, eta_spec) cube."""
    input:
        runs=cube_runs("step_size_bias"),
        code=package_files("store.py", "papers/step_size_bias/runs.py"),
    output:
        "results/step_size_bias/cube_{experiment}.nc",
    log:
        "logs/step_size_bias/cube_{experiment}.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        config=cube_params("step_size_bias"),
    script:
        "../scripts/step_size_bias_cube.py"


rule step_size_bias_figure:
    """Fig. N of the paper from its cube (Fig. 4 also shows the D = 2 panel of Fig. 1)."""
    input:
        cube="results/step_size_bias/cube_{experiment}.nc",
        reference=figure_reference("step_size_bias"),
        code=package_files("plotting.py", "papers/step_size_bias/figures.py"),
    output:
        pdf="results/figures/step_size_bias/{experiment}.pdf",
        png=report(
            "results/figures/step_size_bias/{experiment}.png",
            caption="../report/step_size_bias/caption.rst",
            category="step_size_bias",
            subcategory="{experiment}",
        ),
    log:
        "logs/step_size_bias/{experiment}_figure.log",
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/step_size_bias_figure.py"


rule step_size_bias_claims:
    """Acceptance checks of spec section 9, measured from the cubes."""
    input:
        cubes=expand(
            "results/step_size_bias/cube_{experiment}.nc",
            experiment=paper_module("step_size_bias").figure_list(
                config["step_size_bias"], SCALE
            ),
        ),
        code=package_files("claims.py", "papers/step_size_bias/checks.py"),
    output:
        "results/step_size_bias/claims.csv",
    log:
        "logs/step_size_bias/claims.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        settings=settings_params("step_size_bias"),
    script:
        "../scripts/step_size_bias_claims.py"


rule step_size_bias:
    """Target: every figure and the claims of paper 001."""
    input:
        paper_targets("step_size_bias"),
