"""Write the ground truth of one paper-004 problem family for one seed."""

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.grokking_norms.runs import truth
    from implicit_bias.store import write_dataset

    p = snakemake.params.truth
    write_dataset(truth(p["truth"], p["seed"], p["model"]), snakemake.output[0])
