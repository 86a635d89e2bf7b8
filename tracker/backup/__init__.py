"""Backups: one archive with a consistent database snapshot, the evidence files and a
manifest (``tracker backup``), and its restore into an empty instance (``tracker restore``)."""
