"""Reminders before deadlines, warnings after them, urging leaders, escalation records."""
