# Paper 003 (Ma & Fattahi 2022): blessing of depth for robust l1 regression.
#   data (data set, seed) -> training (experiment, job, seed batch) -> cube per experiment
#   -> figures -> claims. E7 (ResNets on CIFAR) is a paper-scale rule outside the targets.
# Sweeps: config/blessing_of_depth.yaml; code: src/implicit_bias/papers/blessing_of_depth/.


localrules:
    blessing_of_depth_cube,
    blessing_of_depth_figure,
    blessing_of_depth_claims,
    blessing_of_depth,


rule blessing_of_depth_data:
    """One draw of a data set (regression, matrix, relu or digits) for one seed."""
    input:
        package_files(*paper_module("blessing_of_depth").DATA_SOURCES),
    output:
        "results/blessing_of_depth/data/{dataset}/seed{seed}.nc",
    log:
        "logs/blessing_of_depth/data/{dataset}_seed{seed}.log",
    wildcard_constraints:
        dataset="regression|matrix|relu|digits",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    resources:
        mem_mb=data_mem_mb("blessing_of_depth"),
    params:
        problem=data_params("blessing_of_depth"),
    script:
        "../scripts/blessing_of_depth_data.py"


rule blessing_of_depth_train:
    """Every run of one job (a depth, or a whole experiment) for a batch of seeds."""
    input:
        data=training_data(
            "blessing_of_depth",
            "results/blessing_of_depth/data/{dataset}/seed{seed}.nc",
        ),
        code=training_code("blessing_of_depth"),
        kernels=training_kernels("blessing_of_depth"),
    output:
        # Snakemake forbids `benchmark:` on cached rules; the job times itself into the .tsv.
        multiext(
            "results/blessing_of_depth/runs/{experiment}/{config_id}/{seeds}",
            ".nc",
            ".benchmark.tsv",
        ),
    log:
        "logs/blessing_of_depth/train/{experiment}/{config_id}_{seeds}.log",
    cache: "omit-software"
    conda:
        "../envs/implicit_bias.yaml"
    threads: 1
    resources:
        mem_mb=training_resource("blessing_of_depth", "mem_mb"),
        runtime=training_resource("blessing_of_depth", "runtime"),
    params:
        job=training_params("blessing_of_depth"),
    script:
        "../scripts/blessing_of_depth_train.py"


rule blessing_of_depth_cube:
    """The jobs of one experiment merged along N (and alpha, seed)."""
    input:
        runs=cube_runs("blessing_of_depth"),
        code=package_files("store.py", "papers/blessing_of_depth/runs.py"),
    output:
        "results/blessing_of_depth/cube_{experiment}.nc",
    log:
        "logs/blessing_of_depth/cube_{experiment}.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        config=cube_params("blessing_of_depth"),
    script:
        "../scripts/blessing_of_depth_cube.py"


rule blessing_of_depth_figure:
    """One figure (figN: the paper's; the others: E1b, E7p, E8, E9, balancedness)."""
    input:
        cubes=figure_reference("blessing_of_depth"),
        code=package_files(
            "plotting.py",
            "papers/blessing_of_depth/figures.py",
            "papers/blessing_of_depth/theory.py",
            "papers/blessing_of_depth/cifar.py",
        ),
    output:
        pdf="results/figures/blessing_of_depth/{figure}.pdf",
        png=report(
            "results/figures/blessing_of_depth/{figure}.png",
            caption="../report/blessing_of_depth/caption.rst",
            category="blessing_of_depth",
            subcategory="{figure}",
        ),
    log:
        "logs/blessing_of_depth/{figure}_figure.log",
    wildcard_constraints:
        figure="|".join(paper_module("blessing_of_depth").FIGURES),
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/blessing_of_depth_figure.py"


rule blessing_of_depth_claims:
    """Acceptance checks of spec section 8, measured from the cubes."""
    input:
        cubes=expand(
            "results/blessing_of_depth/cube_{experiment}.nc",
            experiment=paper_module("blessing_of_depth").EXPERIMENTS,
        ),
        code=package_files(
            "claims.py",
            "papers/blessing_of_depth/checks.py",
            "papers/blessing_of_depth/cifar.py",
        ),
    output:
        "results/blessing_of_depth/claims.csv",
    log:
        "logs/blessing_of_depth/claims.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        settings=settings_params("blessing_of_depth"),
    script:
        "../scripts/blessing_of_depth_claims.py"


rule blessing_of_depth_cifar:
    """E7 (Table 1): ResNets on CIFAR with label noise. Paper scale, GPU and data only; stops
    with one line when the data directory (blessing_of_depth.paper.cifar.data_dir) is absent.
    """
    input:
        code=package_files("papers/blessing_of_depth/cifar.py"),
    output:
        "results/blessing_of_depth/cifar/table1.csv",
    log:
        "logs/blessing_of_depth/cifar.log",
    conda:
        "../envs/implicit_bias.yaml"
    params:
        scale=SCALE,
        cifar=config["blessing_of_depth"]["paper"].get("cifar"),
    script:
        "../scripts/blessing_of_depth_cifar.py"


rule blessing_of_depth:
    """Target: every figure and the claims of paper 003."""
    input:
        paper_targets("blessing_of_depth"),
