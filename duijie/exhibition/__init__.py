"""Exhibitors, booths and achievement releases."""
