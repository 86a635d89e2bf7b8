"""The organisation: units, users, their roles and the fields (lĩnh vực) leaders supervise."""
