"""Excel imports: tasks, and the organisation (units and users)."""
