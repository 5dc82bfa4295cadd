"""Compile one kernel module (or load it from Numba's cache) before training jobs start."""

from implicit_bias.jobs import job

with job(snakemake) as log:
    from implicit_bias.kernels.warmup import compile_kernel

    names = compile_kernel(snakemake.wildcards.kernel)
    log.info("compiled: %s", ", ".join(names))
    # Fixed content: the file is a cache-key input of training jobs.
    with open(snakemake.output[0], "w") as fh:
        fh.write("\n".join(names) + "\n")
