"""Recurring tasks (nhiệm vụ định kỳ): a series issues one task per period, exactly once."""
