"""Outbound webhooks: other systems are told when a task is issued, overdue, escalated or
completed, by a signed HTTP POST that goes through an outbox with retries."""
