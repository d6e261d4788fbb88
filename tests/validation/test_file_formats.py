"""Random and malformed input to every reader of outside data: the sheet cell parsers, the rule document
parser, the meetings solver's JSON instance and the contest assignment's CSV files. Each gives a clean error
(the module's own, with a message naming the item), never another exception."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duijie.contest.assignment_types import ContestInputError
from duijie.contest.cli import CsvError, read_affinities, read_conflicts, read_scores
from duijie.core import sheets
from duijie.core.errors import DomainError
from duijie.core.i18n import MAX_AMOUNT
from duijie.meetings.cli import _read
from duijie.meetings.instance import InstanceError, load_instance
from duijie.policies import rules

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SOME = settings(max_examples=80, deadline=None)

# JSON-like values: what a hand-edited or hostile file may hold.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(),
    st.from_regex(r"-?[0-9]{1,20}(\.[0-9]{0,6})?(e[0-9]{1,4})?(亿元|亿|万元|万|元)?", fullmatch=True),
)


@FAST
@given(cells)
def test_sheet_amount_cells_read_or_say_why(value: object) -> None:
    try:
        result = sheets.amount_parser(Decimal(1))(value)
    except sheets.CellProblem as exc:
        assert str(exc)
        return
    assert result is None or (result.is_finite() and 0 <= result <= MAX_AMOUNT)


@FAST
@given(cells)
def test_sheet_date_yes_no_and_text_cells_read_or_say_why(value: object) -> None:
    for parse in (sheets.date, sheets.boolean, sheets.bounded_text(200), sheets.text):
        try:
            parse(value)
        except sheets.CellProblem as exc:
            assert str(exc)


@FAST
@given(st.binary(max_size=400))
def test_a_random_csv_upload_reads_or_is_refused(data: bytes) -> None:
    try:
        sheets.read_file("upload.csv", data)
    except DomainError as exc:
        assert exc.message


@FAST
@given(st.one_of(json_values, st.text(max_size=300)))
def test_rule_documents_are_checked_or_refused_with_a_path(document: object) -> None:
    try:
        if isinstance(document, str):
            rules.check_document_text(document)
        else:
            rules.check_document(document)
        errors = rules.check_rule(document)
    except rules.RuleError as exc:
        assert exc.message
        return
    for error in errors:
        assert error.message_zh and error.message_en


LEVELS = {"[": 1, "{a: ": 1, "- ": 1, '{"a": [': 2}  # how deep one repetition of each opener nests


@FAST
@given(st.integers(min_value=1, max_value=200), st.sampled_from(sorted(LEVELS)))
def test_rule_text_deeper_than_the_limit_is_refused_before_parsing(repeat: int, opener: str) -> None:
    depth = repeat * LEVELS[opener]
    try:
        rules.check_document_text(opener * repeat)
    except rules.RuleError:
        assert depth > rules.MAX_DEPTH
    else:
        assert depth <= rules.MAX_DEPTH


@SOME
@given(json_values)
def test_a_random_meetings_instance_loads_or_names_the_item(data: object) -> None:
    try:
        load_instance(data)  # type: ignore[arg-type]
    except InstanceError as exc:
        assert exc.message


slot_lists = st.lists(
    st.fixed_dictionaries({"id": st.one_of(st.text(max_size=3), st.integers(), st.none())}), max_size=4
)
people = st.lists(
    st.fixed_dictionaries(
        {"id": st.one_of(st.text(max_size=3), st.integers(-1, 3))},
        optional={"available": st.one_of(st.lists(st.text(max_size=3)), st.integers(), st.none())},
    ),
    max_size=4,
)
requests = st.lists(
    st.fixed_dictionaries(
        {"a": st.one_of(st.text(max_size=3), st.integers(-1, 3)), "b": st.one_of(st.text(max_size=3), st.integers())},
        optional={"weight": st.one_of(st.floats(), st.integers(), st.text(max_size=3)), "id": st.text(max_size=3)},
    ),
    max_size=5,
)


@SOME
@given(
    st.fixed_dictionaries(
        {"slots": slot_lists, "participants": people, "requests": requests},
        optional={"tables": st.one_of(st.integers(), st.floats(), st.text(max_size=3), st.none())},
    )
)
def test_a_nearly_valid_meetings_instance_loads_or_names_the_item(data: dict[str, object]) -> None:
    try:
        load_instance(data)
    except InstanceError as exc:
        assert exc.message


@FAST
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_a_random_instance_file_is_read_or_refused_naming_the_file(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = Path(tmp_path_factory.mktemp("instance")) / "instance.json"
    path.write_bytes(data)
    try:
        load_instance(_read(path))
    except InstanceError as exc:
        assert "instance.json" in exc.message or exc.message


csv_text = st.lists(
    st.lists(st.one_of(st.text(max_size=6), st.floats().map(str), st.integers().map(str)), max_size=4).map(
        lambda row: ",".join(row)
    ),
    max_size=6,
).map("\n".join)


@FAST
@given(st.one_of(csv_text.map(str.encode), st.binary(max_size=200)))
def test_random_contest_csv_files_are_read_or_refused_naming_file_and_row(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = Path(tmp_path_factory.mktemp("contest")) / "scores.csv"
    path.write_bytes(data)
    for read in (read_scores, read_conflicts, read_affinities):
        try:
            read(path)
        except (CsvError, ContestInputError) as exc:
            assert "scores.csv" in str(exc)


def test_the_date_cells_of_a_sheet_keep_their_meaning() -> None:
    assert sheets.date("2024年4月25日") == dt.date(2024, 4, 25)
    assert json.dumps(sheets.boolean("是")) == "true"
