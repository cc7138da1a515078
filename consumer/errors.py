"""Failures an operator can act on: each says what is wrong and how to fix it, in one line."""


class OperatorError(RuntimeError):
    """Printed as one line without a traceback; `exit_code` is the process's exit status."""

    exit_code = 1


class BrokerUnavailable(OperatorError):
    pass


class DatabaseUnavailable(OperatorError):
    pass


class PortInUse(OperatorError):
    pass
