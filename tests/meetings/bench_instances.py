"""The benchmark's instance generators (`bench/meetings_instances.py`), loaded once for the solver tests: the
tests solve the same shapes of events the benchmark measures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench" / "meetings_instances.py"


def generator() -> ModuleType:
    """The generator module (`tight_instance`, `random_instance`, `brokerage_instance`)."""
    loaded = sys.modules.get("meetings_instances")
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location("meetings_instances", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["meetings_instances"] = module
    spec.loader.exec_module(module)
    return module
