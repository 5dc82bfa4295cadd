"""Stack the jobs of one paper-004 experiment into its cube."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.grokking_norms.runs import build_cube
    from implicit_bias.store import read_dataset, write_dataset

    runs = [read_dataset(path) for path in snakemake.input.runs]
    cube = build_cube(runs, dict(snakemake.params.config), snakemake.wildcards.experiment)
    write_dataset(cube, snakemake.output[0], compress=True)
