"""What the service published, as tests compare it: alerts and syncs as rows of their telling fields."""

from collections import Counter
from dataclasses import dataclass

ALERT_FIELDS = ("code", "status", "category", "alert_type", "asn", "school_code", "home_school_code", "school_year_id")
SYNC_FIELDS = ("action", "asn", "school_code", "enrolment_kind", "exit_date", "exit_code", "reason")


def alert(code, status, category, alert_type, asn, school_code, home_school_code, school_year_id) -> tuple:
    """An expected Core Alert, in the order of ALERT_FIELDS."""
    return (code, status, category, alert_type, asn, school_code, home_school_code, school_year_id)


def sync(action, asn, school_code, enrolment_kind, exit_date, exit_code, reason) -> tuple:
    """An expected exit-date sync, in the order of SYNC_FIELDS (exit_date as text, as on the wire)."""
    return (action, asn, school_code, enrolment_kind, exit_date, exit_code, reason)


@dataclass(frozen=True)
class Outputs:
    """What the service published, decoded from its output topics, in topic order per partition."""

    alerts: list[dict]
    syncs: list[dict]

    def alert_rows(self) -> Counter:
        return Counter(tuple(a[f] for f in ALERT_FIELDS) for a in self.alerts)

    def sync_rows(self) -> Counter:
        return Counter(tuple(s[f] for f in SYNC_FIELDS) for s in self.syncs)
