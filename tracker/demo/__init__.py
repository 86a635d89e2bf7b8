"""Realistic Hà Nội demo data."""
