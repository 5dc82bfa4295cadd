"""E7 of paper 003 (Table 1, ResNets on CIFAR): stops with one line when it cannot run here."""

import sys

from implicit_bias.jobs import job

with job(snakemake):
    from implicit_bias.papers.blessing_of_depth.cifar import require

    problem = require(snakemake.params.scale, snakemake.params.cifar)
    print(f"E7 (CIFAR table): {problem}", file=sys.__stderr__)
    sys.exit(f"E7 (CIFAR table): {problem}")
