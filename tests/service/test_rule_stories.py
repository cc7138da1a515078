"""Every rule story of the end-to-end tests, run through the real service in this process over SQLite, no broker.

Each story runs twice: one event a batch, so each rule must find in the store what earlier events left there (a gap
in what the loader reads fails here), and all events in one batch; both must give the outputs the story asserts.
"""

import inspect

import pytest

from tests.e2e import (
    test_home_and_year_end_rules_end_to_end,
    test_inconsistent_facts_end_to_end,
    test_redelivery_end_to_end,
    test_rules_end_to_end,
    test_transfer_rules_end_to_end,
    test_year_end_end_to_end,
)

STORY_MODULES = (
    test_rules_end_to_end,
    test_transfer_rules_end_to_end,
    test_home_and_year_end_rules_end_to_end,
    test_inconsistent_facts_end_to_end,
    test_redelivery_end_to_end,
    test_year_end_end_to_end,
)

#: The end-to-end tests told as an operator's rounds on a scenario (those that also stop the service are not).
STORIES = {
    f"{module.__name__.rsplit('.', 1)[1].removeprefix('test_')}::{name.removeprefix('test_')}": function
    for module in STORY_MODULES
    for name, function in vars(module).items()
    if name.startswith("test_") and list(inspect.signature(function).parameters) == ["operator", "scenario"]
}
assert len(STORIES) >= 17, "an end-to-end rule story is no longer found"


@pytest.mark.parametrize("max_poll_records", [1, 10_000], ids=["one-event-a-batch", "one-batch"])
@pytest.mark.parametrize("story", list(STORIES.values()), ids=list(STORIES))
def test_every_rule_story_gives_the_same_outputs_through_the_service(story, max_poll_records, make_service_operator,
                                                                     scenario):
    story(make_service_operator(max_poll_records), scenario)
