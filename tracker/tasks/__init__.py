"""The task, its 5 rõ, its lifecycle, progress, extensions and review."""
