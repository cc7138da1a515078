"""Every rule declares what it reads, and the loader reads what the rules a batch triggers declare."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from consumer.domain import decisions as d
from consumer.domain import rules
from consumer.domain.model import StoredGrade
from consumer.domain.reads import ENROLMENTS, GRADES, Read, reads
from consumer.domain.rules import r05_exit_code_edits
from consumer.domain.state import State
from consumer.store import loader, writer
from consumer.store.database import Database
from consumer.store.migrate import upgrade
from schemas.events import enrollment_changed

STUDENT = "123456789"
RULE_MODULES = sorted(p.stem for p in Path(rules.__file__).parent.glob("r[0-9][0-9]_*.py"))


def test_every_rule_module_has_its_id_and_declares_what_it_reads():
    assert [module.__name__.rsplit(".", 1)[1] for module in rules.RULES] == RULE_MODULES
    assert [module.RULE_ID for module in rules.RULES] == [f"R{int(name[1:3])}" for name in RULE_MODULES]
    for module in rules.RULES:
        assert module.READS and all(isinstance(read, Read) for read in module.READS), module.__name__


def test_every_step_of_the_rule_table_belongs_to_a_rule_that_declares_its_reads():
    for trigger, steps in rules.EVENT_RULES.items():
        for step in steps:
            assert rules.reads_of(step), (trigger, step.__qualname__)
    for kind, check in rules.DEADLINE_RULES.items():
        assert rules.reads_of(check), kind


def test_a_grade_posted_reads_the_challenge_grades_only_as_r3_declares():
    declared = rules.reads_for(["StoredGradePosted"])
    assert GRADES.of_type("CHA") in declared and GRADES not in declared


def _grade(course_type: str) -> StoredGrade:
    return StoredGrade(STUDENT, "2222", f"{course_type}1000", 3501, "85", course_type)


def _exit_code_updated() -> object:
    return enrollment_changed.validate_python({
        "event_id": "event-1", "event_type": "ExitCodeUpdated", "occurred_at": datetime(2025, 9, 2, tzinfo=UTC),
        "source": "powerschool", "asn": STUDENT, "school_code": "2222",
        "payload": {"enrolment_kind": "CONCURRENT", "exit_code": "10000"},
    })


@pytest.fixture
def database(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(database)
    state = State()
    state.apply([d.SaveStoredGrade(_grade("REG")), d.SaveStoredGrade(_grade("CHA"))])
    with database.engine.begin() as connection:
        writer.save_state(connection, state)
    yield database
    database.dispose()


def _loaded_grade_types(database: Database, request: loader.LoadRequest) -> list[str]:
    with database.engine.connect() as connection:
        state = loader.load_state(connection, request)
    return sorted(grade.course_type for grade in state.grades_of(STUDENT))


@pytest.mark.parametrize(
    ("declared", "loaded"),
    [(reads(GRADES), ["CHA", "REG"]), (reads(GRADES.of_type("CHA")), ["CHA"]), (reads(ENROLMENTS), [])],
)
def test_the_loader_reads_the_grades_a_declaration_names(database, declared, loaded):
    assert _loaded_grade_types(database, loader.LoadRequest(reads=declared, asns={STUDENT})) == loaded


def test_a_rule_that_declares_it_reads_grades_gets_every_grade_of_its_events_students(database, monkeypatch):
    event = _exit_code_updated()
    assert _loaded_grade_types(database, rules.request_for([event])) == []  # R5 reads enrolments only

    monkeypatch.setitem(rules.READS, r05_exit_code_edits.__name__, reads(ENROLMENTS, GRADES))
    assert _loaded_grade_types(database, rules.request_for([event])) == ["CHA", "REG"]
