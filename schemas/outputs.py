"""What the service emits: `CoreAlert` and `PasiExitDateSync`."""

from datetime import date

from schemas.types import (
    AlertCategory,
    AlertStatus,
    AlertType,
    Asn,
    EnrolmentKind,
    Identifier,
    Instant,
    Message,
    SchoolCode,
    SchoolYearId,
    SyncAction,
    SyncReason,
)


class CoreAlert(Message):
    alert_id: Identifier
    code: Identifier
    category: AlertCategory
    alert_type: AlertType
    status: AlertStatus
    asn: Asn | None = None
    school_code: SchoolCode
    home_school_code: SchoolCode | None = None
    school_year_id: SchoolYearId | None = None
    message: str
    details: dict[str, str]
    source_event_id: Identifier
    occurred_at: Instant

    @property
    def key(self) -> str:
        """The Kafka key: ASN, or school code for school alerts."""
        return self.school_code if self.asn is None else self.asn


class PasiExitDateSync(Message):
    sync_id: Identifier
    action: SyncAction
    asn: Asn
    school_code: SchoolCode
    enrolment_kind: EnrolmentKind
    exit_date: date | None = None
    exit_code: Identifier | None = None
    reason: SyncReason
    source_event_id: Identifier
    occurred_at: Instant

    @property
    def key(self) -> str:
        """The Kafka key: ASN."""
        return self.asn
