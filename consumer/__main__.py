"""`python -m consumer` is the `pasi-concurrent` command."""

from consumer.cli import main

main()
