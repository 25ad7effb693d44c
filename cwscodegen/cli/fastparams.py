"""Start-up speed for the CLI: convert plain parameters without Typer's pydantic machinery.

Typer 0.29 converts every parameter value through a pydantic `TypeAdapter`, even `str`, `Path`
and the implicit `--help` flag of each command. Importing that machinery (`typer._adapters`, which
pulls in pydantic) costs about twice a bare `import typer`, so `cwscodegen --help`, `list` and a
no-op `check` would spend most of their time on it.

`FastGroup` (the app's group class) gives every parameter of the group and of the command being
run a converter that handles the plain cases itself, with the values Typer would produce:

- `str` and `Path` (without a `parser` or any path check such as `exists`), and lists of them;
- a `bool` flag whose value is already a bool, and a missing value (`None`).

Anything else (enums, numbers, files, path checks, custom parsers) goes to Typer's own converter,
built on first use, so behaviour never changes; only the cost of the common case does. If Typer's
internals ever differ from what this expects, nothing is replaced and Typer converts as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args, get_origin

import typer.core

try:  # private Typer API: absent in other Typer versions, which then convert as usual
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # pragma: no cover
    RuntimeParam = None  # type: ignore[assignment,misc]

_PATH_DEFAULTS = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


def plain_converter(annotation: Any, info: Any) -> tuple[bool, Callable[[Any], Any]] | None:
    """`(is_list, convert_one_string)` when Typer would just call `str`/`Path`, else None."""
    if info is None or getattr(info, "parser", None) is not None:
        return None
    many = get_origin(annotation) is list
    item = get_args(annotation)[0] if many else annotation
    if item is str:
        return many, str
    if item is Path and all(getattr(info, key, value) == value for key, value in _PATH_DEFAULTS.items()):
        return many, Path
    return None


if RuntimeParam is not None:

    class PlainRuntimeParam(RuntimeParam):
        """Converts the plain cases; hands anything else to Typer's own converter."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            plain = plain_converter(self.annotation, self.parameter_info)
            if plain is not None:
                many, convert = plain
                if many and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                    return [convert(v) for v in value]
                if not many and isinstance(value, str):
                    return convert(value)
            elif self.annotation is bool and isinstance(value, bool):
                return value
            return _typer_converter(param)._coerce_value(value, param=param, ctx=ctx)


def _typer_converter(param: Any) -> Any:
    cached = getattr(param, "_cwscodegen_typer_converter", None)
    if cached is None:
        cached = build_runtime_param(param.type_descriptor)
        param._cwscodegen_typer_converter = cached
    return cached


def lighten(params: list[Any]) -> None:
    """Give each Typer parameter that has no converter yet the plain one (see the module doc)."""
    if RuntimeParam is None:  # pragma: no cover
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", "absent") is not None:
            continue
        param._runtime_param = PlainRuntimeParam(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
        )


class FastGroup(typer.core.TyperGroup):
    """The app's group: plain converters for its own parameters and for the command it runs."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        lighten(params)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            lighten(command.get_params(ctx))
        return command
