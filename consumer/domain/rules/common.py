"""Helpers the rule families share: building alerts from their kind, and who a student's home school is."""

from consumer.domain import decisions as d
from consumer.domain.alerts import AlertKind
from consumer.domain.model import CANCELLED, CONCURRENT, PRIMARY, Enrolment
from consumer.domain.state import State


def raise_alert(
    kind: AlertKind,
    rule: str,
    *,
    school_code: str,
    subject: str,
    message: str,
    asn: str | None = None,
    home_school_code: str | None = None,
    school_year_id: int | None = None,
    details: dict[str, str] | None = None,
) -> d.RaiseAlert:
    return d.RaiseAlert(
        rule=rule,
        code=kind.code,
        category=kind.category,
        alert_type=kind.alert_type,
        school_code=school_code,
        subject=subject,
        message=message,
        asn=asn,
        home_school_code=home_school_code,
        school_year_id=school_year_id,
        details=details or {},
    )


def alert_key(kind: AlertKind, rule: str, asn: str | None, school_code: str, subject: str) -> str:
    return d.alert_key(rule, kind.code, asn, school_code, subject)


def resolve_if_raised(state: State, alert_key: str, note: str) -> list[d.Decision]:
    alert = state.alert(alert_key)
    return [d.ResolveAlert(alert_key, note)] if alert is not None and alert.status == "RAISED" else []


def is_home_school(state: State, asn: str, school_code: str) -> bool:
    """The school holds the student's active primary enrolment."""
    primary = state.enrolment(asn, school_code, PRIMARY)
    return primary is not None and primary.active


def continuing_concurrent(state: State, event) -> Enrolment | None:
    """R7's condition: a PRIMARY exit TRANSFER_OUT continuing at another school C where the student has a
    concurrent enrolment on the exit date D (entered by D, not cancelled, not exited before D: its exit on D,
    which R7 expects and which may arrive first, still counts). None when R7 does not apply (R9 does)."""
    payload = event.payload
    continuing = payload.continuing_at_school_code
    if payload.enrolment_kind != PRIMARY or payload.reason != "TRANSFER_OUT" or continuing in (None, event.school_code):
        return None
    concurrent = state.enrolment(event.asn, continuing, CONCURRENT)
    day = payload.exit_date
    if concurrent is None or concurrent.status == CANCELLED:
        return None
    if (concurrent.entry_date is not None and concurrent.entry_date > day) or (
        concurrent.exit_date is not None and concurrent.exit_date < day
    ):
        return None
    return concurrent


def joined(values) -> str:
    return ",".join(str(v) for v in sorted(values))
