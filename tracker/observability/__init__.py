"""What operators see: structured logs, Prometheus metrics and the system status page.

``logs`` configures logging (one JSON object a line in production) with the request's or
the job run's id on every line; ``metrics`` counts requests and serves /metrics; ``status``
reads the outbox backlog, the scheduler's jobs and the escalations from the database, for
/metrics, /healthz and the admins' page in ``routes``.
"""
