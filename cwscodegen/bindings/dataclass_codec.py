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
An integer field takes an integral float (`1.0`, loaded as `1`) exactly when the snapshot's draft
counts it as an integer (draft 6 and later do, draft 4 does not): the generated module's
`INTEGRAL_FLOATS` says which.

Date-times load as `Timestamp`, an aware `datetime` subclass that also keeps what `datetime`
cannot: the digits beyond microseconds (`.nanosecond`; CWS timestamps carry nanoseconds) and the
exact text it was read from, which `to_dict` writes back, so `to_dict(from_dict(cls, e)) == e`
holds for every event the loader takes (`.123456789Z`, `.120Z`, `-00:00` and `t`/`z` included).
Comparison and arithmetic are `datetime`'s, to the microsecond; a date-time made by hand or by
arithmetic is written in RFC 3339 (UTC as `Z`, no trailing zeros in the fraction). Dumping leaves
out optional fields that are None (absent in JSON), except those read as an explicit `null` where
the schema allows it (written back as `null`), and restores the original JSON keys. An optional key
whose schema refuses `null` (the generated `NULL_REFUSED` table) may be absent, never `null`.

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
_NULLS = "_cwscodegen_null_keys"  # instance attribute: optional fields that were read as an explicit null
_PARSERS: dict[type, Callable[[str], Any]] = {date: date.fromisoformat, time: time.fromisoformat, UUID: UUID}


class ConversionError(ValueError):
    """The data does not fit the dataclass types; the message starts with the place."""


class Timestamp(datetime):
    """An aware datetime that keeps its nanoseconds and the RFC 3339 text it was read from."""

    rfc3339: str | None = None  # set by the loader; None on one made any other way

    @property
    def nanosecond(self) -> int:
        """Nanoseconds past the second (all nine digits when the text had them)."""
        match = _RFC3339.match(self.rfc3339 or "")
        if match is None or not self._is_read_from(self.rfc3339 or ""):
            return self.microsecond * 1000
        return int(((match.group(1) or ".")[1:] + "000000000")[:9])

    def _is_read_from(self, text: str) -> bool:
        """True when `text` is still this value (it was not set by hand to something else)."""
        try:
            other = datetime.fromisoformat(text.upper())
        except ValueError:
            return False
        return other == self and other.utcoffset() == self.utcoffset() and other.microsecond == self.microsecond


def from_dict(cls: type[T], data: Any) -> T:
    """Build dataclass `cls` (and everything nested in it) from a JSON value as `json.loads` gives it."""
    module = sys.modules.get(cls.__module__)
    integral_floats = bool(getattr(module, "INTEGRAL_FLOATS", False))
    result: T = _load(cls, data, cls.__name__, integral_floats)
    return result


def to_dict(obj: Any) -> Any:
    """The JSON value for a dataclass tree: the inverse of `from_dict`."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = _json_names(type(obj))
        out: dict[str, Any] = {}
        nulls: frozenset[str] = getattr(obj, _NULLS, frozenset())
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            if value is None and _is_optional(field) and field.name not in nulls:
                continue
            out[names.get(field.name, field.name)] = to_dict(value)
        return out
    if isinstance(obj, enum.Enum):
        return to_dict(obj.value)
    if isinstance(obj, Timestamp) and obj.rfc3339 is not None and obj._is_read_from(obj.rfc3339):
        return obj.rfc3339
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


def _load(tp: Any, value: Any, where: str, integral_floats: bool) -> Any:
    """Convert `value` to type `tp`; `where` names the place for error messages; `integral_floats`
    says whether an integer field takes `1.0` (the snapshot's draft decides)."""
    if tp is Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _load_union(typing.get_args(tp), value, where, integral_floats)
    if origin is typing.Literal:
        if any(_json_equal(value, option) for option in typing.get_args(tp)):
            return value
        raise ConversionError(f"{where}: {value!r} is not one of {list(typing.get_args(tp))!r}")
    if origin is list or tp is list:
        (item,) = typing.get_args(tp) or (Any,)
        items = _expect(value, list, "an array", where)
        return [_load(item, entry, f"{where}[{index}]", integral_floats) for index, entry in enumerate(items)]
    if origin is dict or tp is dict:
        _, item = typing.get_args(tp) or (str, Any)
        mapping = _expect(value, Mapping, "an object", where)
        return {key: _load(item, entry, f"{where}[{key!r}]", integral_floats) for key, entry in mapping.items()}
    if isinstance(tp, type):
        return _load_class(tp, value, where, integral_floats)
    raise ConversionError(f"{where}: unsupported type {tp!r}")


def _load_class(tp: type, value: Any, where: str, integral_floats: bool) -> Any:
    if dataclasses.is_dataclass(tp):
        return _load_dataclass(tp, value, where, integral_floats)
    if issubclass(tp, enum.Enum):
        for member in tp:
            if _json_equal(value, member.value):
                return member
        raise ConversionError(f"{where}: {value!r} is not a valid {tp.__name__}")
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
    if tp is int and integral_floats and isinstance(value, float) and value.is_integer():
        return int(value)
    if tp in (str, int, bool):
        if isinstance(value, tp) and (tp is bool or not isinstance(value, bool)):
            return value
        raise ConversionError(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
    raise ConversionError(f"{where}: unsupported type {tp.__name__}")


def _load_union(options: tuple[Any, ...], value: Any, where: str, integral_floats: bool) -> Any:
    """None for a None member, else the first other member that accepts the value."""
    if value is None and type(None) in options:
        return None
    others = [option for option in options if option is not type(None)]
    if len(others) == 1:
        return _load(others[0], value, where, integral_floats)
    for option in others:
        try:
            return _load(option, value, where, integral_floats)
        except ConversionError:
            continue
    raise ConversionError(f"{where}: {value!r} fits none of {others!r}")


def _load_dataclass(cls: type, value: Any, where: str, integral_floats: bool) -> Any:
    data = _expect(value, Mapping, "an object", where)
    names = _json_names(cls)
    hints = _hints(cls)
    fields = {names.get(f.name, f.name): f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(key for key in data if key not in fields)
    if unknown:
        raise ConversionError(f"{where}: unknown key {unknown[0]!r} (not a field of {cls.__name__})")
    kwargs = {}
    refused = _null_refused(cls)
    for key, field in fields.items():
        if key in data and data[key] is None and field.name in refused:
            raise ConversionError(f"{where}.{key}: null is not allowed (the key may be absent instead)")
        if key in data:
            kwargs[field.name] = _load(hints[field.name], data[key], f"{where}.{key}", integral_floats)
        elif not _is_optional(field):
            raise ConversionError(f"{where}: missing required key {key!r}")
    instance = cls(**kwargs)
    nulls = frozenset(f.name for key, f in fields.items() if key in data and data[key] is None and _is_optional(f))
    if nulls:  # an optional key sent as null, not left out: written back as null
        object.__setattr__(instance, _NULLS, nulls)
    return instance


def _is_optional(field: dataclasses.Field[Any]) -> bool:
    """A field with a default may be absent from the JSON object."""
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


def _hints(cls: type) -> dict[str, Any]:
    """Resolved field types (the generated module uses postponed annotations)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _null_refused(cls: type) -> Any:
    """Optional fields of `cls` whose schema refuses null, from the generated `NULL_REFUSED` table."""
    table = getattr(sys.modules.get(cls.__module__), "NULL_REFUSED", None)
    return table.get(cls.__name__, ()) if isinstance(table, Mapping) else ()


def _json_names(cls: type) -> Mapping[str, str]:
    """Field name -> JSON key, from the `JSON_NAMES` table of the module that defines `cls`."""
    table = getattr(sys.modules.get(cls.__module__), "JSON_NAMES", None)
    return table if isinstance(table, Mapping) else {}


def _json_equal(value: Any, option: Any) -> bool:
    """Equality as JSON Schema's `enum`/`const` see it: `true` is not `1`, but `1.0` is `1`."""
    if isinstance(value, bool) or isinstance(option, bool):
        return type(value) is type(option) and value == option
    return bool(value == option)


def _expect(value: Any, kind: Any, what: str, where: str) -> Any:
    if not isinstance(value, kind):
        raise ConversionError(f"{where}: expected {what}, got {type(value).__name__}")
    return value


def _parse_datetime(text: str, where: str) -> Timestamp:
    """RFC 3339 date-time (any case for `T`/`Z`) to a `Timestamp` that remembers `text`."""
    if not _RFC3339.match(text):
        if _RFC3339.match(text + "Z"):
            raise ConversionError(f"{where}: {text!r} has no UTC offset")
        raise ConversionError(f"{where}: {text!r} is not an RFC 3339 date-time")
    try:
        stamp = Timestamp.fromisoformat(text.upper())
    except ValueError:  # shaped right, but no such date: 2024-02-30
        raise ConversionError(f"{where}: {text!r} is not an RFC 3339 date-time") from None
    stamp.rfc3339 = text
    return stamp


def _format_datetime(value: datetime) -> str:
    """RFC 3339, as short as exact: no fraction when it is zero, no trailing zeros, UTC as `Z`.
    So `2024-05-06T07:08:09.120Z` comes back as `...09.12Z`, the same instant."""
    text = value.replace(microsecond=0).isoformat()
    stamp, offset = text[:19], text[19:]
    fraction = f"{value.microsecond:06d}".rstrip("0")
    return stamp + ("." + fraction if fraction else "") + ("Z" if offset == "+00:00" else offset)
