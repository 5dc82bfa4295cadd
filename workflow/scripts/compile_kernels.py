"""Compile (or load from Numba's cache) every kernel once before training jobs start."""

from implicit_bias.jobs import job

with job(snakemake) as log:
    from implicit_bias.kernels.warmup import compile_all

    names = compile_all()
    log.info("compiled: %s", ", ".join(names))
    with open(snakemake.output[0], "w") as fh:
        fh.write("\n".join(names) + "\n")
