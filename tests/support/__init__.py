"""Helpers for tests that talk to a real broker and a real database."""
