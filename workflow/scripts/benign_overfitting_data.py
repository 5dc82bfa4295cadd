"""Draw the data of one (d, seed) for paper 000."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.benign_overfitting.datasets import generate
    from implicit_bias.store import write_dataset

    write_dataset(generate(**snakemake.params.problem), snakemake.output[0])
