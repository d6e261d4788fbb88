"""Forums, summits, contests and trading days; per-event settings and published figures."""
