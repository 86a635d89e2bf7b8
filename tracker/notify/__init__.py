"""Notifications: the outbox, the in-app inbox and email."""
