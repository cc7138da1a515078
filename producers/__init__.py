"""Everything that writes to Kafka: the retrying publisher, the outbox relay, the SIS and End-of-Year producers."""
