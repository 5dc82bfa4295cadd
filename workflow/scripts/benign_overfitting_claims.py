"""Acceptance checks of paper 000: every registered claim, measured from its two cubes."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.claims import evaluate_files

    cubes = [snakemake.input.dynamics, snakemake.input.dimension]
    evaluate_files("benign_overfitting", cubes, snakemake.params.settings, snakemake.output[0])
