"""Acceptance checks of paper grokking_norms: every registered claim, measured from the cubes."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.claims import evaluate_files

    evaluate_files(
        "grokking_norms", snakemake.input.cubes, snakemake.params.settings, snakemake.output[0]
    )
