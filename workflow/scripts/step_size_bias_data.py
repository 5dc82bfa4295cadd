"""Draw the data of one (mu, seed) for paper 001."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.step_size_bias.datasets import generate
    from implicit_bias.store import write_dataset

    write_dataset(generate(**snakemake.params.problem), snakemake.output[0])
