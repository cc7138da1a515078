"""The messages decisions produce: Core Alerts and PASI exit-date syncs, each with a stable message id."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from consumer.domain import decisions as d
from consumer.domain.model import Alert
from schemas.outputs import CoreAlert, PasiExitDateSync

if TYPE_CHECKING:
    from consumer.domain.state import Cause  # the state imports this module


@dataclass(frozen=True)
class Output:
    kind: str  # "alert" or "sync"
    message: CoreAlert | PasiExitDateSync
    message_id: str  # the same on every re-send of this message


def alert_output(alert: Alert) -> Output:
    """The alert's current occurrence as a Core Alert (validated as the contract says: a code it does not
    know fails here)."""
    message = CoreAlert.model_validate(
        {
            "alert_id": alert.alert_id,
            "code": alert.code,
            "category": alert.category,
            "alert_type": alert.alert_type,
            "status": alert.status,
            "asn": alert.asn,
            "school_code": alert.school_code,
            "home_school_code": alert.home_school_code,
            "school_year_id": alert.school_year_id,
            "message": alert.message,
            "details": alert.details,
            "source_event_id": alert.source_event_id,
            "occurred_at": alert.occurred_at,
        }
    )
    return Output("alert", message, d.stable_id("message", alert.alert_key, alert.status, alert.occurrence))


def sync_output(spec: d.SendExitDate, cause: "Cause") -> Output:
    """The exit-date sync `spec` asks for, caused by `cause` (validated as the contract says)."""
    identity = spec.identity or cause.event_id
    sync_id = d.stable_id("sync", identity, spec.asn, spec.school_code, spec.enrolment_kind, spec.action)
    message = PasiExitDateSync.model_validate(
        {
            "sync_id": sync_id,
            "action": spec.action,
            "asn": spec.asn,
            "school_code": spec.school_code,
            "enrolment_kind": spec.enrolment_kind,
            "exit_date": spec.exit_date,
            "exit_code": spec.exit_code,
            "reason": spec.reason,
            "source_event_id": cause.event_id,
            "occurred_at": cause.occurred_at,
        }
    )
    return Output("sync", message, sync_id)
