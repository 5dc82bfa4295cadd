"""One figure of paper 001 from its cube (and the cubes it compares with)."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.step_size_bias import figures
    from implicit_bias.store import read_dataset

    references = [read_dataset(path) for path in snakemake.input.reference]
    figures.draw(
        snakemake.wildcards.experiment,
        read_dataset(snakemake.input.cube),
        references,
        snakemake.output,
    )
