"""The contract: Avro schemas (every released version), the pydantic models that mirror them, and the codec."""

from schemas.events import EVENT_TYPES, SCHOOL_EVENT_TYPES, EnrollmentChanged, enrollment_changed
from schemas.outputs import CoreAlert, PasiExitDateSync
from schemas.term_closed import TermClosed

__all__ = [
    "EVENT_TYPES",
    "SCHOOL_EVENT_TYPES",
    "CoreAlert",
    "EnrollmentChanged",
    "PasiExitDateSync",
    "TermClosed",
    "enrollment_changed",
]
