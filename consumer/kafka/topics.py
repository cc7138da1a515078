"""Creating topics before use: on the embedded broker a produce to a missing topic can vanish."""

import contextlib
import time

from consumer.config.settings import Settings
from consumer.kafka.options import client_options
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError


def admin_client(settings: Settings) -> KafkaAdminClient:
    """An admin client with the settings' connection, security and timeout options."""
    return KafkaAdminClient(**client_options(settings))


def ensure_topics(settings: Settings, topics: list[str], admin: KafkaAdminClient | None = None) -> list[str]:
    """Create the topics that do not exist yet (partition counts from the settings); return them."""
    own = admin is None
    admin = admin or admin_client(settings)
    try:
        missing = sorted(set(topics) - set(admin.list_topics()))
        if missing:
            # another process may create some meanwhile; the rest of the request is still created
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [NewTopic(t, settings.partitions_for(t), settings.replication_factor) for t in missing]
                )
            _wait_until_listed(admin, missing)
        return missing
    finally:
        if own:
            admin.close()


def _wait_until_listed(admin: KafkaAdminClient, topics: list[str], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not set(topics) <= set(admin.list_topics()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics not visible after creation: {', '.join(topics)}")
        time.sleep(0.05)
