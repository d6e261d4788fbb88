"""The Jinja2 environment: module template folders, gettext bound to the request's locale, display filters."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from duijie.core import i18n, permissions
from duijie.core.enums import LabelledEnum
from duijie.core.web import can
from duijie.modules import PACKAGES

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _label(enum_cls: type[LabelledEnum], value: str | None) -> str:
    if not value:
        return "—"
    try:
        return enum_cls(value).label(i18n.get_locale())
    except ValueError:
        return value


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else "?"


def build_environment(
    enums: dict[str, type[LabelledEnum]] | None = None, *, labels: dict[str, dict[str, str]] | None = None
) -> Environment:
    """The environment; `enums` become `E.<name>` in templates, for `label(E.stage, deal.stage)`; `labels`
    are the English names of reference values (`district`, `industry`), given by the application because they
    belong to the directory, above this floor."""
    enums = enums or {}
    labels = labels or {}
    loaders = [FileSystemLoader(str(PACKAGE_DIR / "templates"))]
    loaders += [
        FileSystemLoader(str(PACKAGE_DIR / name / "templates"))
        for name in reversed(PACKAGES)
        if (PACKAGE_DIR / name / "templates").is_dir()
    ]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext)  # type: ignore[attr-defined]
    env.globals.update(
        bilingual=i18n.bilingual,
        money=i18n.format_money,
        yi=i18n.yi_str,
        label=_label,
        query=_query,
        get_locale=i18n.get_locale,
        is_zh=i18n.is_zh,
        can=can,
        P=permissions,  # the generic predicates, for `can(actor, P.can_import_sheets)` in shared templates
    )
    env.filters["money"] = i18n.format_money
    env.filters["role_label"] = lambda r: _label(enums["role"], r) if "role" in enums else r
    env.globals["E"] = enums
    env.globals["industry_en"] = labels.get("industry", {})
    env.globals["district_en"] = labels.get("district", {})
    env.filters["yi"] = lambda v: i18n.yi_str(Decimal(v) if v is not None else None)
    return env
