"""A small declarative loader: TOML tables into frozen dataclasses, checking every value.

Used by ``kiosk.config`` (ESPHome's schema-first config; Klipper's read-once with ranges). Each
dataclass field may carry ``metadata`` built by :func:`spec`: numeric bounds, allowed choices, a
regular expression, or the kind of string (``file`` must exist, ``url`` must have an allowed
scheme, ``path`` is resolved against the config file's directory, ``port`` is a pyserial URL or
a device path, relative paths resolved like ``path``). Every problem is collected
with its key path, so the caller can report them all at once::

    devices.printer.timeout_s: must be > 0, got -1
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def spec(*, gt: float | None = None, ge: float | None = None, le: float | None = None,
         choices: tuple[str, ...] | None = None, pattern: str | None = None,
         kind: str | None = None, schemes: tuple[str, ...] | None = None,
         doc: str = "") -> dict[str, Any]:
    """Field metadata: bounds, choices, pattern, kind (file, path, port, url) and a doc."""
    return {"gt": gt, "ge": ge, "le": le, "choices": choices, "pattern": pattern,
            "kind": kind, "schemes": schemes, "doc": doc}


class Loader:
    """Builds a dataclass tree from plain TOML data, collecting problems by key path."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.problems: list[str] = []
        self.post_checks: list[Callable[[], None]] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def build(self, cls: type, data: Any, path: str) -> Any:
        """Build ``cls`` from ``data``; returns ``None`` if the table itself is unusable."""
        if not isinstance(data, Mapping):
            self.problem(path or "<root>", f"must be a table, got {_type_name(data)}")
            return None
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in data:
            if key not in fields:
                self.problem(_join(path, key), "unknown key")
        values: dict[str, Any] = {}
        for name, fld in fields.items():
            key_path = _join(path, name)
            if name not in data:
                if (fld.default is dataclasses.MISSING
                        and fld.default_factory is dataclasses.MISSING):
                    self.problem(key_path, "missing required key")
                continue
            value = self.convert(hints[name], data[name], key_path, fld.metadata)
            if value is not _INVALID:
                values[name] = value
        try:
            return cls(**values)
        except TypeError:
            return None

    def convert(self, hint: Any, value: Any, path: str, meta: Mapping[str, Any]) -> Any:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            non_none = [a for a in args if a is not type(None)]
            if value is None and len(non_none) < len(args):
                return None
            return self.convert(non_none[0], value, path, meta)
        if dataclasses.is_dataclass(hint):
            built = self.build(hint, value, path)
            return _INVALID if built is None else built
        if origin is tuple:
            if not isinstance(value, list):
                self.problem(path, f"must be a list, got {_type_name(value)}")
                return _INVALID
            items = [self.convert(args[0], item, f"{path}[{i}]", meta)
                     for i, item in enumerate(value)]
            return _INVALID if _INVALID in items else tuple(items)
        if origin in (dict, Mapping, typing.Mapping) or hint is dict:
            if not isinstance(value, Mapping):
                self.problem(path, f"must be a table, got {_type_name(value)}")
                return _INVALID
            converted = {k: self.convert(args[1], v, _join(path, k), meta)
                         for k, v in value.items()}
            if _INVALID in converted.values():
                return _INVALID
            return types.MappingProxyType(converted)
        return self.scalar(hint, value, path, meta)

    def scalar(self, hint: Any, value: Any, path: str, meta: Mapping[str, Any]) -> Any:
        if hint is bool:
            if not isinstance(value, bool):
                self.problem(path, f"must be true or false, got {_type_name(value)}")
                return _INVALID
            return value
        if hint in (int, float):
            ok = isinstance(value, int) and not isinstance(value, bool)
            if hint is float:
                ok = ok or isinstance(value, float)
            if not ok:
                self.problem(path, f"must be {'an integer' if hint is int else 'a number'}, "
                                   f"got {_type_name(value)}")
                return _INVALID
            return self.bounded(hint(value), value, path, meta)
        if hint in (str, Path):
            if not isinstance(value, str):
                self.problem(path, f"must be a string, got {_type_name(value)}")
                return _INVALID
            return self.text(hint, value, path, meta)
        raise TypeError(f"{path}: unsupported field type {hint!r}")

    def bounded(self, number: float, raw: Any, path: str, meta: Mapping[str, Any]) -> Any:
        if meta.get("gt") is not None and not number > meta["gt"]:
            self.problem(path, f"must be > {_num(meta['gt'])}, got {raw}")
            return _INVALID
        if meta.get("ge") is not None and not number >= meta["ge"]:
            self.problem(path, f"must be >= {_num(meta['ge'])}, got {raw}")
            return _INVALID
        if meta.get("le") is not None and not number <= meta["le"]:
            self.problem(path, f"must be <= {_num(meta['le'])}, got {raw}")
            return _INVALID
        return number

    def text(self, hint: Any, value: str, path: str, meta: Mapping[str, Any]) -> Any:
        choices = meta.get("choices")
        if choices and value not in choices:
            self.problem(path, f"must be one of {', '.join(choices)}; got {value!r}")
            return _INVALID
        pattern = meta.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            self.problem(path, f"must match {pattern}, got {value!r}")
            return _INVALID
        kind = meta.get("kind")
        if kind == "url":
            parts = urlsplit(value)
            schemes = meta.get("schemes") or ()
            if parts.scheme not in schemes or not parts.hostname:
                self.problem(path, f"must be a URL with scheme {'/'.join(schemes)} and a "
                                   f"host, got {value!r}")
                return _INVALID
            try:
                _ = parts.port
            except ValueError:
                self.problem(path, f"port out of range in {value!r}")
                return _INVALID
            return value
        if kind == "port":
            if "://" in value or value.startswith("/"):
                return value
            return str((self.base_dir / value).resolve())
        if kind in ("file", "path"):
            if not value:
                self.problem(path, "must not be empty")
                return _INVALID
            resolved = (self.base_dir / value).resolve() if not value.startswith("/") \
                else Path(value)
            if kind == "file" and not resolved.is_file():
                self.problem(path, f"file not found: {resolved}")
                return _INVALID
            return resolved
        return Path(value) if hint is Path else value


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)
