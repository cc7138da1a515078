"""The operators' console: a read-only web view of the state store (`pasi-concurrent console`)."""
