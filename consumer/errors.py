"""Failures an operator can act on: each says what is wrong and how to fix it, in one line.

The command line prints an `OperatorError` as that one line, without a traceback, and exits with
its `exit_code`: 2 for a bad option, argument or setting (`UsageError`), 1 for the rest.
"""


class OperatorError(RuntimeError):
    """Printed as one line without a traceback; `exit_code` is the process's exit status."""

    exit_code = 1


class UsageError(OperatorError):
    """A bad option, argument or setting: the command was not run as asked."""

    exit_code = 2


class BrokerUnavailable(OperatorError):
    """No Kafka broker can be used: none answers, or the embedded one cannot run."""


class DatabaseUnavailable(OperatorError):
    pass


class PortInUse(OperatorError):
    pass
