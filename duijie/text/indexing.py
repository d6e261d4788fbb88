"""Two names that policies' suggestions and matching's demo still import from here; both live in `text/embed.py`
(`DEMO_VECTORS_MODEL`, `demo_vectors`). Delete this file once `policies/suggest.py` and `matching/demo.py`
import them from there; site search's indexing is `duijie.search.indexing`."""

from __future__ import annotations

from duijie.text.embed import DEMO_VECTORS_MODEL as MODEL_NAME
from duijie.text.embed import demo_vectors

__all__ = ["MODEL_NAME", "demo_vectors"]
