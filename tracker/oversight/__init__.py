"""Oversight for Sở Nội vụ and leaders: dashboards, scorecards, reports, exports."""
