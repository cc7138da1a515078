"""What rules decide: imperative values the state applies (state changes, alerts, syncs, deadlines)."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date

from consumer.domain.model import (
    CourseEnrolment,
    Deadline,
    Enrolment,
    SchoolTerms,
    Section,
    StoredGrade,
    Transfer,
)

ID_NAMESPACE = uuid.UUID("5b0f1f4e-4d1c-4a52-9d2e-3f3c8e0f6a10")


_NAMESPACE_BYTES = ID_NAMESPACE.bytes


def stable_id(*parts: object) -> str:
    """A UUID that depends only on its parts: replaying the same input gives the same ids.

    `str(uuid.uuid5(ID_NAMESPACE, name))` for the parts joined by "|", without building the UUID object: the
    SHA-1 of namespace and name, its first 16 bytes with the version (5) and the RFC 4122 variant set."""
    name = "|".join("" if p is None else str(p) for p in parts)
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class SaveEnrolment:
    enrolment: Enrolment


@dataclass(frozen=True)
class PurgeEnrolment:
    key: tuple[str, str, str]


@dataclass(frozen=True)
class SaveCourseEnrolment:
    course_enrolment: CourseEnrolment


@dataclass(frozen=True)
class SaveStoredGrade:
    grade: StoredGrade


@dataclass(frozen=True)
class SaveSchoolTerms:
    terms: SchoolTerms


@dataclass(frozen=True)
class SaveSection:
    section: Section


@dataclass(frozen=True)
class SaveTransfer:
    transfer: Transfer


@dataclass(frozen=True)
class SetDeadline:
    deadline: Deadline


@dataclass(frozen=True)
class CompleteDeadline:
    deadline_id: str


@dataclass(frozen=True)
class RaiseAlert:
    """Raise the alert unless it is already raised; its key depends on rule, code, ASN, school, subject."""

    rule: str
    code: str
    category: str
    alert_type: str
    school_code: str
    subject: str
    message: str
    asn: str | None = None
    home_school_code: str | None = None
    school_year_id: int | None = None
    details: dict[str, str] = field(default_factory=dict)

    @property
    def alert_key(self) -> str:
        return alert_key(self.rule, self.code, self.asn, self.school_code, self.subject)


def alert_key(rule: str, code: str, asn: str | None, school_code: str, subject: str) -> str:
    """Names an alert across its occurrences; also the id of its first occurrence."""
    return stable_id("alert", rule, code, asn, school_code, subject)


def occurrence_id(key: str, occurrence: int) -> str:
    """The id an occurrence is published under: an alert that comes back after RESOLVED is a new
    occurrence with an id of its own, so no id is ever RAISED twice. The first keeps the alert's key."""
    return key if occurrence == 1 else stable_id("alert", key, occurrence)


@dataclass(frozen=True)
class ResolveAlert:
    """Resolve the alert's current occurrence if it is raised; nothing otherwise."""

    alert_key: str
    note: str = ""


@dataclass(frozen=True)
class SendExitDate:
    """Publish a PasiExitDateSync; `identity` makes its id (the cause's event id, or an EOY run id)."""

    action: str
    asn: str
    school_code: str
    enrolment_kind: str
    reason: str
    exit_date: date | None
    exit_code: str | None
    identity: str | None = None


@dataclass(frozen=True)
class Ignore:
    """The event changes nothing (a re-delivery already applied, an exit for a cancelled enrolment): noted only."""

    reason: str


Decision = (
    SaveEnrolment
    | PurgeEnrolment
    | SaveCourseEnrolment
    | SaveStoredGrade
    | SaveSchoolTerms
    | SaveSection
    | SaveTransfer
    | SetDeadline
    | CompleteDeadline
    | RaiseAlert
    | ResolveAlert
    | SendExitDate
    | Ignore
)
