"""The running service: the consumer loop and its jobs, the batch unit of work, End of Year, health, metrics, logs."""
