"""What every stage runs on: the shared context, periodic tasks, quotas, HTTP answers, metrics, sockets."""
