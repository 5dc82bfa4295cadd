"""One figure of paper 004 from the cubes it draws on."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.grokking_norms import figures
    from implicit_bias.store import read_dataset

    cubes = {read_dataset(p).attrs["experiment"]: read_dataset(p) for p in snakemake.input.cubes}
    figures.draw(snakemake.wildcards.figure, cubes, snakemake.output)
