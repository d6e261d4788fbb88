"""The contest's writes and simple reads, one file per entity (pretalx's `submission/domain/`): structure,
rounds, entries, judges, conflicts, affinities, reviews (the judge assignment), scores, rankings and awards.

Services flush; the caller's unit of work commits. The algorithms they call are pure and live one level up
(`assignment.py`, `conflicts.py`, `scoring.py`).
"""
