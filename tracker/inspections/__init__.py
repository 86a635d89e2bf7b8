"""Sở Nội vụ's inspections of units (kiểm tra công vụ), their findings and follow-up tasks."""
