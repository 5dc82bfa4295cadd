"""One figure of paper 000 (params.figure names it) from its cube."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.benign_overfitting import figures
    from implicit_bias.store import read_dataset

    draw = getattr(figures, snakemake.params.figure)
    draw(read_dataset(snakemake.input.cube), dict(snakemake.params.model), snakemake.output)
