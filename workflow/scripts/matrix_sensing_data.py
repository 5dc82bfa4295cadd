"""Draw one sensing problem of paper 002 (X*, y; G is redrawn by the training job)."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.matrix_sensing.datasets import problem
    from implicit_bias.store import write_dataset

    write_dataset(problem(**snakemake.params.problem), snakemake.output[0])
