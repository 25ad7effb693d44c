"""Loading a JSON event into generated dataclasses, and dumping it back.

`cwscodegen generate` copies this file, unchanged but for its header, into every generated
package as `codec.py`: the dataclasses there are bare declarations, and this is what makes them
hold a real event. It follows the field types (Optional, unions, lists, maps, nested dataclasses,
enums, date-time strings) and the JSON keys that are not Python names (`class`, `mountpoint.path`),
which the generated `dataclasses_models.JSON_NAMES` table maps from field name to JSON key.

Usage::

    from mypkg.v3.dataclasses_models import BackendEvent
    from mypkg.v3.codec import from_dict, to_dict

    event = from_dict(BackendEvent, json.loads(text))
    assert to_dict(event) == json.loads(text)

The loader is strict, like the schema: a wrong type, a missing required key or a key the
dataclass does not declare raises `ConversionError` naming the place (`BackendEvent.file.uid`).
Dumping leaves out optional fields that are None (absent in JSON), writes date-times in RFC 3339
(UTC as `Z`, the fraction without trailing zeros: `.515Z` stays `.515Z`) and restores the original
JSON keys.

Only the standard library is used, so the dataclass binding has no third-party dependency.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar
from uuid import UUID

T = TypeVar("T")
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$", re.ASCII)

_HINTS: dict[type, dict[str, Any]] = {}
_PARSERS: dict[type, Callable[[str], Any]] = {date: date.fromisoformat, time: time.fromisoformat, UUID: UUID}


class ConversionError(ValueError):
    """The data does not fit the dataclass types; the message starts with the place."""


def from_dict(cls: type[T], data: Any) -> T:
    """Build dataclass `cls` (and everything nested in it) from a JSON value as `json.loads` gives it."""
    result: T = _load(cls, data, cls.__name__)
    return result


def to_dict(obj: Any) -> Any:
    """The JSON value for a dataclass tree: the inverse of `from_dict`."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = _json_names(type(obj))
        out: dict[str, Any] = {}
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            if value is None and _is_optional(field):
                continue
            out[names.get(field.name, field.name)] = to_dict(value)
        return out
    if isinstance(obj, enum.Enum):
        return to_dict(obj.value)
    if isinstance(obj, datetime):
        return _format_datetime(obj)
    if isinstance(obj, (date, time)):
        return obj.isoformat()
    if isinstance(obj, UUID):
        return str(obj)
    if isinstance(obj, (list, tuple)):
        return [to_dict(item) for item in obj]
    if isinstance(obj, Mapping):
        return {key: to_dict(value) for key, value in obj.items()}
    return obj


def _load(tp: Any, value: Any, where: str) -> Any:
    """Convert `value` to type `tp`; `where` names the place for error messages."""
    if tp is Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _load_union(typing.get_args(tp), value, where)
    if origin is typing.Literal:
        if value in typing.get_args(tp):
            return value
        raise ConversionError(f"{where}: {value!r} is not one of {list(typing.get_args(tp))!r}")
    if origin is list or tp is list:
        (item,) = typing.get_args(tp) or (Any,)
        items = _expect(value, list, "an array", where)
        return [_load(item, entry, f"{where}[{index}]") for index, entry in enumerate(items)]
    if origin is dict or tp is dict:
        _, item = typing.get_args(tp) or (str, Any)
        mapping = _expect(value, Mapping, "an object", where)
        return {key: _load(item, entry, f"{where}[{key!r}]") for key, entry in mapping.items()}
    if isinstance(tp, type):
        return _load_class(tp, value, where)
    raise ConversionError(f"{where}: unsupported type {tp!r}")


def _load_class(tp: type, value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(tp):
        return _load_dataclass(tp, value, where)
    if issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            raise ConversionError(f"{where}: {value!r} is not a valid {tp.__name__}") from None
    if tp is datetime:
        return _parse_datetime(_expect(value, str, "a date-time string", where), where)
    if tp in _PARSERS:
        text = _expect(value, str, f"a {tp.__name__} string", where)
        try:
            return _PARSERS[tp](text)
        except ValueError:
            raise ConversionError(f"{where}: {value!r} is not a valid {tp.__name__}") from None
    if tp is type(None):
        if value is None:
            return None
        raise ConversionError(f"{where}: expected null, got {type(value).__name__}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        raise ConversionError(f"{where}: expected a number, got {type(value).__name__}")
    if tp in (str, int, bool):
        if isinstance(value, tp) and (tp is bool or not isinstance(value, bool)):
            return value
        raise ConversionError(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
    raise ConversionError(f"{where}: unsupported type {tp.__name__}")


def _load_union(options: tuple[Any, ...], value: Any, where: str) -> Any:
    """None for a None member, else the first other member that accepts the value."""
    if value is None and type(None) in options:
        return None
    others = [option for option in options if option is not type(None)]
    if len(others) == 1:
        return _load(others[0], value, where)
    for option in others:
        try:
            return _load(option, value, where)
        except ConversionError:
            continue
    raise ConversionError(f"{where}: {value!r} fits none of {others!r}")


def _load_dataclass(cls: type, value: Any, where: str) -> Any:
    data = _expect(value, Mapping, "an object", where)
    names = _json_names(cls)
    hints = _hints(cls)
    fields = {names.get(f.name, f.name): f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(key for key in data if key not in fields)
    if unknown:
        raise ConversionError(f"{where}: unknown key {unknown[0]!r} (not a field of {cls.__name__})")
    kwargs = {}
    for key, field in fields.items():
        if key in data:
            kwargs[field.name] = _load(hints[field.name], data[key], f"{where}.{key}")
        elif not _is_optional(field):
            raise ConversionError(f"{where}: missing required key {key!r}")
    return cls(**kwargs)


def _is_optional(field: dataclasses.Field[Any]) -> bool:
    """A field with a default may be absent from the JSON object."""
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


def _hints(cls: type) -> dict[str, Any]:
    """Resolved field types (the generated module uses postponed annotations)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _json_names(cls: type) -> Mapping[str, str]:
    """Field name -> JSON key, from the `JSON_NAMES` table of the module that defines `cls`."""
    table = getattr(sys.modules.get(cls.__module__), "JSON_NAMES", None)
    return table if isinstance(table, Mapping) else {}


def _expect(value: Any, kind: Any, what: str, where: str) -> Any:
    if not isinstance(value, kind):
        raise ConversionError(f"{where}: expected {what}, got {type(value).__name__}")
    return value


def _parse_datetime(text: str, where: str) -> datetime:
    """RFC 3339 date-time (any case for `T`/`Z`) to an aware datetime (digits beyond
    microseconds are dropped: Python's datetime holds no more)."""
    if not _RFC3339.match(text):
        if _RFC3339.match(text + "Z"):
            raise ConversionError(f"{where}: {text!r} has no UTC offset")
        raise ConversionError(f"{where}: {text!r} is not an RFC 3339 date-time")
    try:
        return datetime.fromisoformat(text.upper())
    except ValueError:  # shaped right, but no such date: 2024-02-30
        raise ConversionError(f"{where}: {text!r} is not an RFC 3339 date-time") from None


def _format_datetime(value: datetime) -> str:
    """RFC 3339, as short as exact: no fraction when it is zero, no trailing zeros, UTC as `Z`.
    So `2024-05-06T07:08:09.120Z` comes back as `...09.12Z`, the same instant."""
    text = value.replace(microsecond=0).isoformat()
    stamp, offset = text[:19], text[19:]
    fraction = f"{value.microsecond:06d}".rstrip("0")
    return stamp + ("." + fraction if fraction else "") + ("Z" if offset == "+00:00" else offset)
