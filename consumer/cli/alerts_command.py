"""`alerts`: the Core Alerts view of the state store, as a table or JSON lines."""

import json
from datetime import date

import typer
from rich.table import Table

from consumer.cli.app import state
from consumer.cli.output import wide_console
from consumer.errors import UsageError
from consumer.runtime.wiring import open_database
from consumer.store.alert_queries import AlertFilter, search

STATUSES = ("RAISED", "RESOLVED")
CATEGORIES = ("STUDENT", "ENROLMENT", "SECTION", "COURSE_ENROLMENT", "EVALUATED_MARK", "EXTERNAL_CREDENTIAL")
TYPES = ("ADVICE", "WARNING", "REJECTION", "CONFLICT", "FAILURE")


def _choice(option: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value.upper() not in allowed:
        raise UsageError(f"{option}: {value!r} is not one of {', '.join(allowed)}")
    return value.upper()


def _day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def alerts(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="RAISED or RESOLVED."),
    code: str | None = typer.Option(None, "--code", help="Alert code, e.g. TERM_ID_MISMATCH."),
    category: str | None = typer.Option(None, "--category", help="e.g. ENROLMENT, EVALUATED_MARK."),
    alert_type: str | None = typer.Option(None, "--type", help="ADVICE, WARNING, REJECTION, CONFLICT or FAILURE."),
    school: str | None = typer.Option(None, "--school", help="School code where the problem sits."),
    asn: str | None = typer.Option(None, "--asn", help="Alberta Student Number."),
    since: str | None = typer.Option(None, "--from", help="Alerts that occurred on or after this date."),
    until: str | None = typer.Option(None, "--to", help="Alerts that occurred on or before this date."),
    limit: int = typer.Option(100, "--limit", min=1, help="Show at most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line instead of a table."),
) -> None:
    """List Core Alerts from the state store, filtered like PowerSchool's Core Alerts search."""
    if school is not None and not (len(school) == 4 and school.isdigit()):
        raise UsageError(f"--school: {school!r} is not a 4-digit school code")
    if asn is not None and not (len(asn) == 9 and asn.isdigit()):
        raise UsageError(f"--asn: {asn!r} is not a 9-digit ASN")
    wanted = AlertFilter(
        status=_choice("--status", status, STATUSES),
        code=code.upper() if code else None,
        category=_choice("--category", category, CATEGORIES),
        alert_type=_choice("--type", alert_type, TYPES),
        school=school,
        asn=asn,
        since=_day("--from", since),
        until=_day("--to", until),
    )
    settings = state(ctx).settings
    database = open_database(settings)
    try:
        total, rows = search(database, wanted, settings, limit)
    finally:
        database.dispose()
    if as_json:
        for row in rows:
            typer.echo(json.dumps(_as_dict(row)))
        return
    console = wide_console()
    shown = f", newest {len(rows)} shown" if total > len(rows) else ""
    console.print(alerts_table(rows, title=f"Core Alerts: {total} match{shown}"))


def _as_dict(row) -> dict:
    values = dict(row._mapping)
    values["occurred_at"] = values["occurred_at"].isoformat()
    return values


def alerts_table(rows, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for header in ("Occurred", "Status", "Code", "Type", "ASN", "School", "Home", "Year"):
        table.add_column(header, no_wrap=True)
    table.add_column("Message", overflow="fold", min_width=40)
    for row in rows:
        table.add_row(
            row.occurred_at.strftime("%Y-%m-%d %H:%M"),
            row.status,
            row.code,
            row.alert_type,
            row.asn or "",
            row.school_code,
            row.home_school_code or "",
            "" if row.school_year_id is None else str(row.school_year_id),
            row.message,
        )
    return table
