"""Draw one data set of paper 003 for one seed."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.blessing_of_depth import datasets
    from implicit_bias.store import write_dataset

    params = dict(snakemake.params.problem)
    kind, seed = params.pop("dataset"), params.pop("seed")
    draw = {
        "regression": datasets.robust_regression,
        "matrix": datasets.matrix_recovery,
        "relu": datasets.relu_data,
        "digits": datasets.digits_data,
    }[kind](seed, **params)
    write_dataset(datasets.to_dataset(draw), snakemake.output[0])
