"""A deadline check (R7, R9, R10) that raises costs that one check: it is set aside, and events after its time go on."""

from datetime import UTC, date, datetime, timedelta

from consumer.domain import rules
from consumer.domain.rules import r10_cancelled

HOME, AWAY = "1111", "2222"
CANCELLED_AT = datetime(2025, 9, 10, 16, 0, tzinfo=UTC)
PURGE_AT = CANCELLED_AT + timedelta(days=30)


def _broken_check(state, deadline, policy):
    raise KeyError("a bug in the check")


def test_a_check_that_raises_is_set_aside_and_the_event_that_passes_its_time_is_applied(story, monkeypatch):
    monkeypatch.setitem(rules.DEADLINE_RULES, r10_cancelled.PURGE, _broken_check)
    story.enrolled_concurrently(HOME, AWAY, date(2025, 9, 2))
    story.at(CANCELLED_AT).cancelled(AWAY, "CONCURRENT")

    step = story.someone_else_acts(PURGE_AT, asn="555555555")

    [(deadline, error)] = story.state.failed_deadlines
    assert deadline.kind == r10_cancelled.PURGE and error == "KeyError: 'a bug in the check'"
    assert story.state.deadlines == {}  # set aside: it does not fail again with every later event
    assert story.state.enrolment("555555555", "9999", "PRIMARY") is not None  # the later event was applied
    assert step.outputs == []


def test_a_check_that_raises_leaves_the_other_checks_due_at_the_same_time_to_fire(story, monkeypatch):
    purge = rules.DEADLINE_RULES[r10_cancelled.PURGE]
    calls = []

    def broken_for_the_first(state, deadline, policy):
        calls.append(deadline.asn)
        if len(calls) == 1:
            raise RuntimeError("a bug in the check")
        return purge(state, deadline, policy)

    monkeypatch.setitem(rules.DEADLINE_RULES, r10_cancelled.PURGE, broken_for_the_first)
    for asn in ("111111111", "222222222"):
        story.enrolled_concurrently(HOME, AWAY, date(2025, 9, 2), asn=asn)
        story.at(CANCELLED_AT).cancelled(AWAY, "CONCURRENT", asn=asn)

    story.someone_else_acts(PURGE_AT + timedelta(minutes=5))

    assert len(calls) == 2 and len(story.state.failed_deadlines) == 1
    purged = [asn for asn in calls if story.state.enrolment(asn, AWAY, "CONCURRENT") is None]
    assert purged == [calls[1]]
