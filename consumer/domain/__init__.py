"""The concurrent-enrolment domain: state, decisions and the rules R1-R10, free of Kafka, SQL and Avro."""
