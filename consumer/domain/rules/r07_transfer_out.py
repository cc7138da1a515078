"""R7 transfer out, continuing at the concurrent school: the home school's open course enrolments end on the
transfer date D; by the grace deadline the concurrent exit on D, the re-enrolment and the course re-enrolments at
the concurrent school are expected, each missing one alerted in that order and resolved when it arrives."""

import dataclasses
from datetime import date
from typing import Any

from consumer.domain import decisions as d
from consumer.domain.alerts import (
    CONCURRENT_EXIT_DATE_MISMATCH,
    COURSE_REENROLMENT_MISSING,
    REENROLMENT_MISSING,
)
from consumer.domain.model import CONCURRENT, EXITED, PRIMARY, CourseEnrolment, Deadline, Transfer
from consumer.domain.policy import Policy
from consumer.domain.reads import COURSE_ENROLMENTS, ENROLMENTS, STUDENT_ALERTS, TRANSFERS, reads
from consumer.domain.rules.common import (
    alert_key,
    continuing_concurrent,
    raise_alert,
    resolve_if_raised,
    set_deadline,
)
from consumer.domain.state import State
from schemas.events import CourseEnrolled, SchoolEnrolmentExited, StudentReEnrolled
from schemas.types import school_year_of

RULE_ID = "R7"
READS = reads(ENROLMENTS, COURSE_ENROLMENTS, TRANSFERS, STUDENT_ALERTS)
TRANSFER = "TRANSFER"


def start_transfer(state: State, event: SchoolEnrolmentExited, policy: Policy) -> list[d.Decision]:
    """R7: end the home school's open course enrolments as of D and expect the follow-ups at C, when the
    student is enrolled concurrently at C on D."""
    payload = event.payload
    concurrent = continuing_concurrent(state, event)
    if concurrent is None:
        return []
    continuing, day = concurrent.school_code, payload.exit_date
    decisions: list[d.Decision] = [
        d.SaveCourseEnrolment(dataclasses.replace(ce, exit_date=day))
        for ce in sorted(state.course_enrolments_of(event.asn), key=lambda c: c.key)
        if ce.school_code == event.school_code and ce.open_on(day)
    ]
    primary_there = state.enrolment(event.asn, continuing, PRIMARY)
    transfer = Transfer(
        asn=event.asn,
        school_code=continuing,
        transfer_date=day,
        from_school_code=event.school_code,
        due_at=policy.grace_deadline(day),
        source_event_id=event.event_id,
        concurrent_exit_date=concurrent.exit_date if concurrent.status == EXITED else None,
        reenrolled=(
            primary_there is not None and primary_there.entry_date is not None and primary_there.entry_date >= day
        ),
    )
    decisions += [
        d.SaveTransfer(transfer),
        set_deadline(state, TRANSFER, event.asn, continuing, day.isoformat(), transfer.due_at, event.event_id),
    ]
    if transfer.concurrent_exit_date is not None and transfer.concurrent_exit_date != day:
        decisions.append(_exit_date_mismatch(transfer))
    return decisions


def note_concurrent_exit(state: State, event: SchoolEnrolmentExited, policy: Policy) -> list[d.Decision]:
    """R7: the concurrent exit must carry the transfer date; another date is a mismatch at once."""
    payload = event.payload
    if payload.enrolment_kind != CONCURRENT:
        return []
    decisions: list[d.Decision] = []
    for transfer in _open_transfers(state, event.asn, event.school_code):
        if transfer.concurrent_exit_date == transfer.transfer_date:
            continue  # already met; a later exit belongs to another story
        noted = dataclasses.replace(transfer, concurrent_exit_date=payload.exit_date)
        decisions.append(d.SaveTransfer(noted))
        if payload.exit_date == transfer.transfer_date:
            decisions += resolve_if_raised(state, _mismatch_key(transfer), "concurrent exit date now matches")
        else:
            decisions.append(_exit_date_mismatch(noted))
    return decisions


def note_reenrolment(state: State, event: StudentReEnrolled, policy: Policy) -> list[d.Decision]:
    """R7: the re-enrolment at the concurrent school arrived."""
    decisions: list[d.Decision] = []
    for transfer in _open_transfers(state, event.asn, event.school_code):
        if not transfer.reenrolled:
            decisions.append(d.SaveTransfer(dataclasses.replace(transfer, reenrolled=True)))
        decisions += resolve_if_raised(
            state,
            alert_key(REENROLMENT_MISSING, RULE_ID, event.asn, event.school_code, transfer.transfer_date.isoformat()),
            "student re-enrolled",
        )
    return decisions


def note_course_reenrolment(state: State, event: CourseEnrolled, policy: Policy) -> list[d.Decision]:
    """R7: a course re-enrolment at the concurrent school as of the transfer date."""
    payload = event.payload
    decisions: list[d.Decision] = []
    for transfer in _open_transfers(state, event.asn, event.school_code):
        if payload.entry_date == transfer.transfer_date:
            subject = f"{transfer.transfer_date.isoformat()}/{payload.course_code}/{payload.section_id}"
            decisions += resolve_if_raised(
                state,
                alert_key(COURSE_REENROLMENT_MISSING, RULE_ID, event.asn, event.school_code, subject),
                "course re-enrolled",
            )
    return decisions


def check_transfer(state: State, deadline: Deadline, policy: Policy) -> list[d.Decision]:
    """R7: at the grace deadline, raise in order what is still missing."""
    day = date.fromisoformat(deadline.reference)
    transfer = state.transfers.get(deadline.asn, {}).get((deadline.school_code, day))
    decisions: list[d.Decision] = [d.CompleteDeadline(deadline.deadline_id)]
    if transfer is None:
        return decisions
    decisions.insert(0, d.SaveTransfer(dataclasses.replace(transfer, checked=True)))
    if transfer.concurrent_exit_date != day:
        decisions.append(_exit_date_mismatch(transfer))
    if not transfer.reenrolled:
        decisions.append(
            raise_alert(
                REENROLMENT_MISSING,
                RULE_ID,
                **_where(transfer),
                message=(
                    f"Student transferred out of {transfer.from_school_code} on {day} to continue at "
                    f"{transfer.school_code}, but was not re-enrolled there"
                ),
                details={"transfer_date": day.isoformat(), "from_school_code": transfer.from_school_code},
            )
        )
    for ce in _courses_not_reenrolled(state, transfer):
        decisions.append(
            raise_alert(
                COURSE_REENROLMENT_MISSING,
                RULE_ID,
                **_where(transfer) | {"subject": f"{day.isoformat()}/{ce.course_code}/{ce.section_id}"},
                message=(
                    f"Course {ce.course_code} section {ce.section_id} at {transfer.school_code} ended on the "
                    f"transfer date {day} and was not re-enrolled as of that date"
                ),
                details={"transfer_date": day.isoformat(), "course_code": ce.course_code, "section_id": ce.section_id},
            )
        )
    return decisions


def _courses_not_reenrolled(state: State, transfer: Transfer) -> list[CourseEnrolment]:
    """Course enrolments at C that ended on D with no enrolment in the same course and section entered on D."""
    day = transfer.transfer_date
    at_school = [ce for ce in state.course_enrolments_of(transfer.asn) if ce.school_code == transfer.school_code]
    reenrolled = {(ce.course_code, ce.section_id) for ce in at_school if ce.entry_date == day}
    ended = {(ce.course_code, ce.section_id): ce for ce in at_school if ce.exit_date == day}
    return [ended[section] for section in sorted(ended) if section not in reenrolled]


def _open_transfers(state: State, asn: str, school_code: str) -> list[Transfer]:
    return sorted(
        (t for t in state.transfers_of(asn) if t.school_code == school_code), key=lambda t: t.transfer_date
    )


def _where(transfer: Transfer) -> dict[str, Any]:
    return {
        "asn": transfer.asn,
        "school_code": transfer.school_code,
        "home_school_code": transfer.from_school_code,
        "school_year_id": school_year_of(transfer.transfer_date),
        "subject": transfer.transfer_date.isoformat(),
    }


def _mismatch_key(transfer: Transfer) -> str:
    return alert_key(
        CONCURRENT_EXIT_DATE_MISMATCH, RULE_ID, transfer.asn, transfer.school_code, transfer.transfer_date.isoformat()
    )


def _exit_date_mismatch(transfer: Transfer) -> d.RaiseAlert:
    observed = transfer.concurrent_exit_date.isoformat() if transfer.concurrent_exit_date else "none yet"
    return raise_alert(
        CONCURRENT_EXIT_DATE_MISMATCH,
        RULE_ID,
        **_where(transfer),
        message=(
            f"Concurrent enrolment at {transfer.school_code} must exit on the transfer date "
            f"{transfer.transfer_date} used at {transfer.from_school_code}; its exit date is {observed}"
        ),
        details={
            "transfer_date": transfer.transfer_date.isoformat(),
            "concurrent_exit_date": transfer.concurrent_exit_date.isoformat() if transfer.concurrent_exit_date else "",
        },
    )
