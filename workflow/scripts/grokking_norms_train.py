"""Train every configuration of one paper-004 job on a batch of seeds."""

from implicit_bias.jobs import job

with job(snakemake, benchmark=snakemake.output[1]) as log:
    from implicit_bias.papers.grokking_norms.runs import train
    from implicit_bias.store import read_dataset, write_dataset

    spec = dict(snakemake.params.job)
    log.info("job: %s", {k: v for k, v in spec.items() if k != "runs"})
    log.info("%d configurations", len(spec.get("runs", [])))
    data = [read_dataset(path) for path in snakemake.input.data]
    write_dataset(train(spec, data, log=log), snakemake.output[0], compress=True)
