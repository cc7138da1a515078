"""Possible but wrong facts are processed and alerted by the rule that covers them, never dead-lettered.

A concurrent enrolment at its own home school is R8's case; an exit "continuing" at the school it leaves starts no
R7 transfer, so R9 watches the concurrent enrolments left behind; a term whose id or dates belong to another school
year is not one of that year's Term IDs, so R1 alerts the grades that use it.
"""

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from tests.support.outputs import alert, sync

HOME, AWAY, ONLINE, FAR_HOME = "1001", "2001", "2002", "9999"
ANN, BEN, CAL, EVE = "100000001", "100000002", "100000003", "100000005"
SEPTEMBER = date(2025, 9, 2)
DAY = date(2026, 3, 2)
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # midnight after March 2 in Edmonton (UTC-7)


@pytest.mark.slow
def test_inconsistent_facts_are_alerted_by_the_rule_that_covers_them_and_none_is_a_dead_letter(operator, scenario):
    scenario.terms_configured(HOME, 35, 3500, 3501, 3601, ending={3501: date(2026, 8, 14)})
    scenario.primary_started(AWAY, SEPTEMBER, asn=ANN)
    scenario.concurrent_started(AWAY, AWAY, SEPTEMBER, asn=ANN)  # its home school is its own school
    scenario.enrolled_concurrently(HOME, ONLINE, SEPTEMBER, asn=BEN)
    scenario.enrolled_concurrently(HOME, ONLINE, SEPTEMBER, asn=CAL)
    scenario.grade_posted(ONLINE, "MAT1791", 3501, asn=CAL)  # HOME's 3501 ends in the next school year
    scenario.grade_posted(ONLINE, "SCI1270", 3601, asn=CAL)  # HOME listed 3601 under year 35
    scenario.grade_posted(ONLINE, "ELA1105", 3500, asn=CAL)  # a term HOME has: nothing
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    scenario.exited(HOME, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=HOME, asn=BEN)  # "continuing" at HOME
    scenario.at(DUE).primary_started(FAR_HOME, DUE.date(), asn=EVE)  # event time reaches the grace deadline

    outputs = operator.handles(scenario)

    assert operator.dead_letters() == []
    assert outputs.alert_rows() == Counter([
        alert("CONCURRENT_WITHOUT_PRIMARY", "RAISED", "ENROLMENT", "REJECTION", ANN, AWAY, AWAY, 35),
        alert("TERM_ID_MISMATCH", "RAISED", "EVALUATED_MARK", "WARNING", CAL, ONLINE, HOME, 35),
        alert("TERM_ID_MISMATCH", "RAISED", "EVALUATED_MARK", "WARNING", CAL, ONLINE, HOME, 36),
        alert("CONCURRENT_WITHOUT_PRIMARY", "RAISED", "ENROLMENT", "WARNING", BEN, ONLINE, HOME, 35),
    ])
    assert outputs.sync_rows() == Counter([sync("EXIT", BEN, HOME, "PRIMARY", "2026-03-02", None, "TRANSFER_OUT")])
