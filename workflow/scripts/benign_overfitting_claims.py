"""Acceptance checks of paper 000, measured from its cubes."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.claims import write_csv
    from implicit_bias.papers.benign_overfitting.checks import claims
    from implicit_bias.store import read_dataset

    rows = claims(
        read_dataset(snakemake.input.dynamics),
        read_dataset(snakemake.input.dimension),
        dict(snakemake.params.settings),
    )
    write_csv(rows, snakemake.output[0])
