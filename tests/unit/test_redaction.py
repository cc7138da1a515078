"""A dead letter's reason carries no SQL statement or parameter and no ASN, and is bounded."""

from consumer.config.settings import Settings
from consumer.runtime.records import InputRecord
from consumer.runtime.service import OutputEncoder
from schemas.codec import MessageCodec
from schemas.errors import MAX_ERROR_TEXT

SQL_ERROR = (
    "(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint \"enrolments_pkey\"\n"
    "DETAIL:  Key (asn)=(123456789) already exists.\n"
    "[SQL: INSERT INTO enrolments (asn, school_code) VALUES (%(asn)s, %(school_code)s)]\n"
    "[parameters: {'asn': '123456789', 'school_code': '1234'}]\n"
    "(Background on this error at: https://sqlalche.me/e/20/gkpj)"
)


def _dead_letter_reason(error_message: str) -> str:
    encoder = OutputEncoder(Settings(_env_file=None), MessageCodec())
    record = InputRecord("enrollment-changed", 0, 7, b"123456789", b"\x00", None, "IntegrityError", error_message)
    return dict(encoder.dead_letter(record).headers)["error.message"].decode()


def test_a_dead_letter_reason_from_a_database_error_has_no_statement_no_parameters_and_no_asn():
    reason = _dead_letter_reason(SQL_ERROR)
    assert reason.startswith("(psycopg.errors.UniqueViolation) duplicate key value")
    assert "Key (asn)=(******789) already exists." in reason
    assert "INSERT" not in reason and "parameters" not in reason and "123456789" not in reason


def test_a_dead_letter_reason_is_bounded():
    assert len(_dead_letter_reason("problem; " * 100_000)) <= MAX_ERROR_TEXT
