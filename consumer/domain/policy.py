"""The business settings the rules read: policy date, End-of-Year exit code, grace period, purge delay."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Policy:
    policy_date: date = date(2019, 1, 31)
    eoy_exit_code: str = "10000"
    grace_period: timedelta = timedelta(days=1)
    purge_after: timedelta = timedelta(days=30)
    zone: tzinfo = field(default_factory=lambda: ZoneInfo("America/Edmonton"))

    def exit_code_to_send(self, exit_date: date | None, exit_code: str | None) -> str | None:
        """From the policy date on, PASI takes no exit codes."""
        if exit_date is None or exit_date >= self.policy_date:
            return None
        return exit_code

    def start_of(self, day: date) -> datetime:
        """The instant a business date begins, in UTC."""
        return datetime.combine(day, time(0), self.zone).astimezone(UTC)

    def grace_deadline(self, day: date) -> datetime:
        """Event time by which follow-ups of something dated `day` are due: `day` + grace.

        Whole days count on the calendar, so a day of the grace is a day even when the clocks change.
        """
        days = self.grace_period.days
        return self.start_of(day + timedelta(days=days)) + (self.grace_period - timedelta(days=days))
