"""The demo kit and the run's phases: records kept by class, per-build parts, and every package's demo speaking
only of phases the run knows."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import pytest
from sqlalchemy.orm import Session

from duijie.core.demo_kit import PHASES, DemoKit
from duijie.directory.demo import org
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.modules import PACKAGES, import_all


def test_every_demo_function_of_a_package_is_a_phase_the_run_calls() -> None:
    unknown = [
        f"{module.__name__}.{name}"
        for module in import_all("demo")
        for name, value in vars(module).items()
        if name.endswith("_demo") and inspect.isfunction(value) and value.__module__ == module.__name__
        and name not in PHASES
    ]  # fmt: skip
    assert unknown == []


def test_the_run_finds_the_demos_by_convention_in_floor_order() -> None:
    found = [module.__name__.split(".")[1] for module in import_all("demo")]
    assert found == [p for p in PACKAGES if p in found]
    assert {"directory", "events", "marketplace", "deals", "policies", "contest"} <= set(found)


def test_kept_records_are_found_by_class_and_key_in_the_order_kept(db: Session) -> None:
    kit = DemoKit(db)
    first = org(kit, "kit-test-a", kind="enterprise", name_zh="甲（示例）")
    second = org(kit, "kit-test-b", kind="enterprise", name_zh="乙（示例）")
    assert org(kit, "kit-test-a", kind="enterprise", name_zh="改名") is first
    assert kit.get(Organisation, "kit-test-b") is second
    assert kit.all(Organisation) == [first, second]
    assert kit.keys(Organisation) == ["kit-test-a", "kit-test-b"]
    assert kit.summary.organisations == 2
    assert kit.find(Event, "kit-test-a") is None
    with pytest.raises(KeyError, match="no Event 'kit-test-a'"):
        kit.get(Event, "kit-test-a")


def test_a_part_is_made_once_per_build(db: Session) -> None:
    @dataclass
    class Notes:
        items: list[str] = field(default_factory=list)

    kit = DemoKit(db)
    kit.part(Notes).items.append("x")
    assert kit.part(Notes).items == ["x"]
    assert DemoKit(db).part(Notes).items == []


def test_module_generators_do_not_depend_on_each_other(db: Session) -> None:
    kit = DemoKit(db)
    first = kit.module_rng("deals").random()
    kit.module_rng("meetings").random()
    assert kit.module_rng("deals").random() == first
    assert kit.module_rng("deals").random() != kit.module_rng("meetings").random()


def test_generated_company_names_are_never_repeated(db: Session) -> None:
    kit = DemoKit(db)
    names = [kit.company_name("人工智能")[0] for _ in range(120)]
    assert len(set(names)) == 120
    assert all(name.endswith("有限公司") for name in names)
