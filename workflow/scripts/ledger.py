"""The reproduction ledger: every figure and table of the selected papers, status from claims."""

from implicit_bias.jobs import job

with job(snakemake) as log:
    from implicit_bias import claims, ledger

    rows = ledger.write(
        list(snakemake.params.papers),
        claims.read_csv(snakemake.input.claims),
        snakemake.output.csv,
        snakemake.output.md,
        snakemake.output.summary_csv,
        snakemake.output.summary_md,
    )
    for status in ledger.LEDGER_STATUSES:
        log.info("%s: %d", status, sum(r.status == status for r in rows))
