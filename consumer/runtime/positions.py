"""Where the consumer stands on its partitions: which it owns, and which have records left to read."""

from kafka import KafkaConsumer, TopicPartition


def lagging(consumer: KafkaConsumer, tp: TopicPartition) -> bool:
    """True while the partition holds records not fetched yet (or its end is not known yet)."""
    highwater = consumer.highwater(tp)
    if highwater is None:
        return True
    return consumer.position(tp) < highwater


def read_to_end(consumer: KafkaConsumer) -> bool:
    """Partitions are assigned, and each is fetched to its end."""
    assignment = consumer.assignment()
    return bool(assignment) and not any(lagging(consumer, tp) for tp in assignment)


def owned_partitions(consumer: KafkaConsumer, topic: str) -> set[int]:
    """The partitions of `topic` assigned to this process."""
    return {tp.partition for tp in consumer.assignment() if tp.topic == topic}


def owns_every_partition(consumer: KafkaConsumer, topics: list[str]) -> bool:
    assignment = consumer.assignment()
    for topic in topics:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions or any(TopicPartition(topic, p) not in assignment for p in partitions):
            return False
    return True
