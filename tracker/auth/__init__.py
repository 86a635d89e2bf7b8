"""Signing in and out, passwords and sessions."""
