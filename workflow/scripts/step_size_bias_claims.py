"""Acceptance checks of paper step_size_bias: every registered claim, measured from the cubes."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.claims import evaluate_files

    evaluate_files(
        "step_size_bias", snakemake.input.cubes, snakemake.params.settings, snakemake.output[0]
    )
