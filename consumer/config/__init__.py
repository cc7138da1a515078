"""The service's settings: read from the environment, documented, handed to child processes."""
