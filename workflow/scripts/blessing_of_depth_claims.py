"""Acceptance checks of paper blessing_of_depth: every registered claim, measured from the cubes."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.claims import evaluate_files

    evaluate_files(
        "blessing_of_depth", snakemake.input.cubes, snakemake.params.settings, snakemake.output[0]
    )
