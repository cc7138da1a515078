"""The state store: SQLAlchemy Core tables, migrations, batch loading and writing, and the outbox."""
