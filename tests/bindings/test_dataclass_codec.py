"""The dataclass codec (copied into every generated package as `codec.py`), on hand-written
dataclasses shaped like the generated ones: postponed annotations, `X | None = None` for optional
keys, and a module-level `JSON_NAMES` table for keys that are not Python names."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import pytest

from cwscodegen.bindings.dataclass_codec import ConversionError, Timestamp, from_dict, to_dict

JSON_NAMES: dict[str, str] = {"class_": "class", "mountpoint_path": "mountpoint.path"}


class Kind(enum.Enum):
    open = "open"
    exec_ = "exec"


@dataclass
class Question:
    class_: str
    name: str | None = None


@dataclass
class Mount:
    mountpoint_path: str
    id: int | None = None


@dataclass
class Item:
    value: int | str
    ratio: float | None = None


@dataclass
class Event:
    title: str
    nullable: int | None  # required, but null is a value
    date: datetime | None = None
    day: date | None = None
    at: time | None = None
    uid: UUID | None = None
    kind: Kind | None = None
    level: Literal["low", "high"] | None = None
    question: Question | None = None
    mount: Mount | None = None
    items: list[Item] | None = None
    tags: dict[str, str] | None = None
    extra: Any = None
    flag: bool | None = None


FULL = {
    "title": "t",
    "nullable": None,
    "date": "2024-01-02T03:04:05.250Z",
    "day": "2024-01-02",
    "at": "03:04:05",
    "uid": "12345678-1234-5678-1234-567812345678",
    "kind": "exec",
    "level": "high",
    "question": {"class": "IN", "name": "example.org"},
    "mount": {"mountpoint.path": "/mnt", "id": 3},
    "items": [{"value": 1, "ratio": 2}, {"value": "one", "ratio": 0.5}],
    "tags": {"a": "b"},
    "extra": {"anything": [1, None]},
    "flag": False,
}


def test_round_trip_of_a_full_event() -> None:
    event = from_dict(Event, FULL)
    assert event.date == datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)
    assert event.day == date(2024, 1, 2) and event.at == time(3, 4, 5)
    assert event.uid == UUID("12345678-1234-5678-1234-567812345678")
    assert event.kind is Kind.exec_
    assert event.question == Question(class_="IN", name="example.org")
    assert event.mount == Mount(mountpoint_path="/mnt", id=3)
    assert event.items == [Item(value=1, ratio=2), Item(value="one", ratio=0.5)]
    assert event.flag is False
    assert to_dict(event) == FULL  # the date-time as it was written: `.250Z`, not `.25Z`
    event.date = datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)  # made by hand: shortest RFC 3339
    assert to_dict(event) == {**FULL, "date": "2024-01-02T03:04:05.25Z"}


def test_absent_optional_keys_stay_absent_and_required_nulls_stay() -> None:
    event = from_dict(Event, {"title": "t", "nullable": None})
    assert event == Event(title="t", nullable=None)
    assert to_dict(event) == {"title": "t", "nullable": None}


@pytest.mark.parametrize(
    ("text", "expected", "dumped"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        ("2024-01-02t03:04:05z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        ("2021-09-28T10:02:11.515Z", datetime(2021, 9, 28, 10, 2, 11, 515000, tzinfo=UTC), "2021-09-28T10:02:11.515Z"),
        (
            "2024-01-02T03:04:05.000001+00:00",
            datetime(2024, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
            "2024-01-02T03:04:05.000001Z",
        ),
        (
            "2024-01-02T03:04:05.123456789Z",
            datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
            "2024-01-02T03:04:05.123456Z",
        ),
        (
            "2024-01-02T03:04:05.5+02:00",
            datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=timezone(timedelta(hours=2))),
            "2024-01-02T03:04:05.5+02:00",
        ),
        (
            "0999-12-31T23:59:59-05:30",
            datetime(999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
            "0999-12-31T23:59:59-05:30",
        ),
    ],
)
def test_date_times_become_aware_and_dump_as_rfc3339(text: str, expected: datetime, dumped: str) -> None:
    """A loaded date-time is written back exactly as read; one made by hand in the shortest RFC 3339."""
    event = from_dict(Event, {"title": "t", "nullable": 1, "date": text})
    assert event.date == expected and event.date is not None and event.date.utcoffset() == expected.utcoffset()
    assert to_dict(event)["date"] == text
    assert from_dict(Event, to_dict(event)) == event
    assert to_dict(Event(title="t", nullable=1, date=expected))["date"] == dumped


@pytest.mark.parametrize(
    ("text", "nanosecond"),
    [
        ("2024-05-06T07:08:09.123456789Z", 123456789),
        ("2024-05-06T07:08:09.000000001+05:30", 1),
        ("2024-05-06T07:08:09.12Z", 120000000),
        ("2024-05-06T07:08:09-00:00", 0),
    ],
)
def test_timestamps_keep_nanoseconds_and_the_offset_spelling(text: str, nanosecond: int) -> None:
    stamp = from_dict(Event, {"title": "t", "nullable": 1, "date": text}).date
    assert isinstance(stamp, Timestamp) and stamp.nanosecond == nanosecond
    assert to_dict(from_dict(Event, {"title": "t", "nullable": 1, "date": text}))["date"] == text
    moved = stamp + timedelta(seconds=1)  # arithmetic: a plain value, written in canonical form
    assert to_dict(Event(title="t", nullable=1, date=moved))["date"].startswith("2024-05-06T")


def test_integral_floats_follow_the_modules_draft_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"title": "t", "nullable": 1.0}
    with pytest.raises(ConversionError, match=r"^Event\.nullable: expected int, got float$"):
        from_dict(Event, data)
    monkeypatch.setitem(globals(), "INTEGRAL_FLOATS", True)
    event = from_dict(Event, data)
    assert event.nullable == 1 and type(event.nullable) is int
    with pytest.raises(ConversionError):
        from_dict(Event, {"title": "t", "nullable": 1.5})


def test_null_is_refused_where_the_schema_refuses_it_and_kept_where_it_allows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(globals(), "NULL_REFUSED", {"Event": ["flag"]})
    with pytest.raises(ConversionError, match=r"^Event\.flag: null is not allowed"):
        from_dict(Event, {"title": "t", "nullable": 1, "flag": None})
    kept = {"title": "t", "nullable": 1, "level": None}
    assert to_dict(from_dict(Event, kept)) == kept


@dataclass
class Numbered:
    one: Literal[1]


def test_enum_values_compare_as_json() -> None:
    """`true` is not `1` in JSON Schema's `enum`/`const` (Python says `True == 1`); `1.0` is."""
    with pytest.raises(ConversionError, match=r"^Numbered\.one: True is not one of \[1\]$"):
        from_dict(Numbered, {"one": True})
    assert from_dict(Numbered, {"one": 1.0}).one == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nullable": 1}, r"^Event: missing required key 'title'$"),
        ({"title": "t"}, r"^Event: missing required key 'nullable'$"),
        ({"title": "t", "nullable": 1, "colour": "red"}, r"^Event: unknown key 'colour' \(not a field of Event\)$"),
        ({"title": 1, "nullable": 1}, r"^Event\.title: expected str, got int$"),
        ({"title": "t", "nullable": True}, r"^Event\.nullable: expected int, got bool$"),
        (
            {"title": "t", "nullable": 1, "date": "2024-01-02T03:04:05"},
            r"^Event\.date: '2024-01-02T03:04:05' has no UTC offset$",
        ),
        (
            {"title": "t", "nullable": 1, "date": "yesterday"},
            r"^Event\.date: 'yesterday' is not an RFC 3339 date-time$",
        ),
        (
            {"title": "t", "nullable": 1, "date": "2024-01-02 03:04:05Z"},
            r"^Event\.date: '2024-01-02 03:04:05Z' is not an RFC 3339 date-time$",
        ),
        (
            {"title": "t", "nullable": 1, "date": "2024-02-30T03:04:05Z"},
            r"^Event\.date: '2024-02-30T03:04:05Z' is not an RFC 3339 date-time$",
        ),
        (
            {"title": "t", "nullable": 1, "date": "2024-01-02T03:04Z"},
            r"^Event\.date: '2024-01-02T03:04Z' is not an RFC 3339 date-time$",
        ),
        ({"title": "t", "nullable": 1, "date": 1704164645}, r"^Event\.date: expected a date-time string, got int$"),
        ({"title": "t", "nullable": 1, "kind": "read"}, r"^Event\.kind: 'read' is not a valid Kind$"),
        ({"title": "t", "nullable": 1, "level": "mid"}, r"^Event\.level: 'mid' is not one of \['low', 'high'\]$"),
        ({"title": "t", "nullable": 1, "question": {"name": "x"}}, r"^Event\.question: missing required key 'class'$"),
        ({"title": "t", "nullable": 1, "question": {"class_": "IN"}}, r"^Event\.question: unknown key 'class_'"),
        (
            {"title": "t", "nullable": 1, "items": [{"value": 1}, {"value": [2]}]},
            r"^Event\.items\[1\]\.value: \[2\] fits none of",
        ),
        ({"title": "t", "nullable": 1, "items": {"value": 1}}, r"^Event\.items: expected an array, got dict$"),
        (
            {"title": "t", "nullable": 1, "items": [{"value": 1, "ratio": "2"}]},
            r"^Event\.items\[0\]\.ratio: expected a number, got str$",
        ),
        ({"title": "t", "nullable": 1, "tags": {"a": 1}}, r"^Event\.tags\['a'\]: expected str, got int$"),
        ({"title": "t", "nullable": 1, "uid": "nope"}, r"^Event\.uid: 'nope' is not a valid UUID$"),
    ],
)
def test_loading_is_strict_and_names_the_place(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        from_dict(Event, data)


def test_not_an_object_at_the_root() -> None:
    with pytest.raises(ConversionError, match=r"^Event: expected an object, got list$"):
        from_dict(Event, [])


def test_conversion_error_is_a_value_error() -> None:
    assert issubclass(ConversionError, ValueError)


def test_generated_codec_is_this_module_with_a_header() -> None:
    """What `generate` ships as codec.py: the marker line, then this module's code (black-formatted,
    so the text may differ, the syntax tree may not)."""
    import ast

    from cwscodegen.bindings import codegen, manifest

    source = Path(codegen.__file__).with_name("dataclass_codec.py").read_text()
    header = manifest.header("schemas/v1.json")
    shipped = codegen._format(header + "\n" + source)
    assert shipped.startswith(header + "\n")
    assert ast.dump(ast.parse(shipped)) == ast.dump(ast.parse(source))
