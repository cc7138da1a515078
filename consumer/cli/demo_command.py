"""`demo`: the whole flow on a realistic sample, ending with tables of what it produced."""

import typer
from rich.table import Table

from consumer.cli.alerts_command import alerts_table
from consumer.cli.app import state
from consumer.cli.output import wide_console
from consumer.console.server import url
from consumer.runtime.demo import run_demo
from consumer.runtime.logs import configure_logging


def demo(
    ctx: typer.Context,
    students: int = typer.Option(50, "--students", min=1, max=100_000, help="How many students the sample has."),
) -> None:
    """Run a sample school year (schools, ~50 students, a transfer, an End of Year) through the service."""
    settings = state(ctx).settings
    if not state(ctx).debug:
        configure_logging("WARNING", settings.log_format, settings.log_mask_asn)  # the tables are the output
    console = wide_console()
    where = "the embedded broker" if settings.embedded else settings.bootstrap_servers
    console.print(f"Publishing a sample school year to {where} and running the service until it is idle…")
    result = run_demo(settings, students)
    console.print(alerts_table(result.alerts, title=f"Core Alerts from the sample ({len(result.alerts)})"))
    table = Table(title=f"PASI exit-date syncs from the sample ({len(result.syncs)})", title_justify="left")
    for header in ("Action", "ASN", "School", "Kind", "Exit date", "Exit code", "Reason"):
        table.add_column(header)
    for sync in result.syncs:
        table.add_row(
            sync.action, sync.asn, sync.school_code, sync.enrolment_kind,
            str(sync.exit_date or ""), sync.exit_code or "", sync.reason,
        )
    console.print(table)
    console.print(
        f"{result.events} events in. Look further with `pasi-concurrent alerts --code TERM_ID_MISMATCH`, "
        f"`pasi-concurrent tail {settings.topic_core_alerts} --from-beginning --until-idle 1` or "
        f"`pasi-concurrent tail {settings.topic_pasi_exit_date_sync} --from-beginning --until-idle 1`."
    )
    console.print(
        f"Browse them: run `pasi-concurrent console` and open {url(settings.console_host, settings.console_port)}",
        soft_wrap=True,
    )
