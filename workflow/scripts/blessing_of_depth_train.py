"""Train every run of one paper-003 job on a batch of seeds."""

from implicit_bias.jobs import job

with job(snakemake, benchmark=snakemake.output[1]) as log:
    from implicit_bias.papers.blessing_of_depth.runs import train
    from implicit_bias.store import read_dataset, write_dataset

    spec = dict(snakemake.params.job)
    log.info("job: %s", spec)
    data = [read_dataset(path) for path in snakemake.input.data]
    write_dataset(train(spec, data, log=log), snakemake.output[0])
