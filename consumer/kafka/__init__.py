"""Everything that talks to Kafka: client options, work-arounds, topics, reading, the embedded broker."""
