"""The project's claims table: every selected paper's checks in one CSV and one Markdown file."""

from implicit_bias.jobs import job

with job(snakemake) as log:
    from implicit_bias.claims import combine

    rows = combine(snakemake.input, snakemake.output.csv, snakemake.output.md)
    failed = [r for r in rows if r.status == "FAIL"]
    log.info("%d claims, %d FAIL", len(rows), len(failed))
