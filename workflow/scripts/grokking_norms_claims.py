"""Acceptance checks of paper 004, measured from its cubes."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.claims import write_csv
    from implicit_bias.papers.grokking_norms.checks import claims
    from implicit_bias.store import read_dataset

    cubes = {read_dataset(p).attrs["experiment"]: read_dataset(p) for p in snakemake.input.cubes}
    write_csv(claims(cubes, dict(snakemake.params.settings)), snakemake.output[0])
