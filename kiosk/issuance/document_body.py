"""The body of a document (part of the document contract): its block vocabulary, checked strictly
and deep-frozen.

A body is ``{"pages": [[block, ...], ...]}`` where a block is one of ``{"type": "heading",
"text"}``, ``{"type": "paragraph", "text"}`` (may hold line breaks), ``{"type": "fields",
"rows": [[label, value], ...]}`` or ``{"type": "table", "columns": [...], "rows": [[...], ...]}``
with every row as wide as the columns. Strings are NFC-normalised (UAX #15) and may hold no
control characters. Errors are :class:`~kiosk.errors.VerificationError` (``document.malformed``)
naming the field, never its value. Imports only the standard library and :mod:`kiosk.errors`,
like :mod:`kiosk.issuance.document`, which re-exports what callers need.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from kiosk.errors import VerificationError

MAX_PAGES = 99  # a bound for parsers; kiosk documents run to a handful of pages
MAX_BLOCKS_PER_PAGE = 200  # parser bound
MAX_ROWS = 500  # parser bound per fields/table block
MAX_COLUMNS = 20  # parser bound per table
MAX_TEXT_CHARS = 4000  # parser bound per string
_BLOCK_KEYS = {
    "heading": {"type", "text"},
    "paragraph": {"type", "text"},
    "fields": {"type", "rows"},
    "table": {"type", "columns", "rows"},
}


def malformed(where: str, problem: str) -> VerificationError:
    """The contract's parse error: ``where`` names the field, ``problem`` what is wrong."""
    return VerificationError(f"{where}: {problem}", code="document.malformed")


def checked_text(value: Any, where: str, *, multiline: bool = False,
                 allow_empty: bool = True) -> str:
    """Check one string of the document and return its NFC form."""
    if not isinstance(value, str):
        raise malformed(where, "must be a string")
    if len(value) > MAX_TEXT_CHARS:
        raise malformed(where, f"longer than {MAX_TEXT_CHARS} characters")
    for char in value:
        if char == "\n" and multiline:
            continue
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            raise malformed(where, "contains a control character")
    if not allow_empty and not value.strip():
        raise malformed(where, "must not be empty")
    return unicodedata.normalize("NFC", value)


def matching(value: Any, pattern: re.Pattern[str], where: str, expected: str) -> str:
    """Return ``value`` if it is a string matching ``pattern`` in full."""
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise malformed(where, f"must be {expected}")
    return value


def checked_list(value: Any, where: str, limit: int, *, minimum: int = 0) -> Sequence[Any]:
    """Return ``value`` if it is a list (or tuple) of ``minimum``..``limit`` items."""
    if not isinstance(value, (list, tuple)):
        raise malformed(where, "must be a list")
    if not minimum <= len(value) <= limit:
        raise malformed(where, f"must hold {minimum}..{limit} items")
    return value


def _freeze_block(block: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(block, Mapping):
        raise malformed(where, "must be an object")
    kind = block.get("type")
    if not isinstance(kind, str) or kind not in _BLOCK_KEYS:
        raise malformed(f"{where}.type", "must be heading, paragraph, fields or table")
    if set(block.keys()) != _BLOCK_KEYS[kind]:
        raise malformed(where, f"a {kind} block has exactly the keys "
                               f"{', '.join(sorted(_BLOCK_KEYS[kind]))}")
    frozen: dict[str, Any] = {"type": kind}
    if kind in ("heading", "paragraph"):
        frozen["text"] = checked_text(block["text"], f"{where}.text",
                                      multiline=kind == "paragraph", allow_empty=False)
    elif kind == "fields":
        rows = checked_list(block["rows"], f"{where}.rows", MAX_ROWS, minimum=1)
        frozen["rows"] = tuple(
            tuple(checked_text(cell, f"{where}.rows[{row_index}][{cell_index}]")
                  for cell_index, cell in enumerate(_pair(row, f"{where}.rows[{row_index}]")))
            for row_index, row in enumerate(rows))
    else:
        columns = checked_list(block["columns"], f"{where}.columns", MAX_COLUMNS, minimum=1)
        frozen["columns"] = tuple(checked_text(cell, f"{where}.columns[{index}]")
                                  for index, cell in enumerate(columns))
        rows = checked_list(block["rows"], f"{where}.rows", MAX_ROWS)
        frozen["rows"] = tuple(
            tuple(checked_text(cell, f"{where}.rows[{row_index}][{cell_index}]")
                  for cell_index, cell in enumerate(
                      checked_list(row, f"{where}.rows[{row_index}]", len(columns),
                                   minimum=len(columns))))
            for row_index, row in enumerate(rows))
    return MappingProxyType(frozen)


def _pair(row: Any, where: str) -> Sequence[Any]:
    return checked_list(row, where, 2, minimum=2)


def freeze_body(body: Any) -> Mapping[str, Any]:
    """Check a whole body and return it as read-only mappings and tuples, strings in NFC."""
    if not isinstance(body, Mapping):
        raise malformed("body", "must be an object")
    if set(body.keys()) != {"pages"}:
        raise malformed("body", "must have exactly the key 'pages'")
    pages = checked_list(body["pages"], "body.pages", MAX_PAGES, minimum=1)
    frozen_pages = tuple(
        tuple(_freeze_block(block, f"body.pages[{page_index}][{block_index}]")
              for block_index, block in enumerate(
                  checked_list(page, f"body.pages[{page_index}]", MAX_BLOCKS_PER_PAGE)))
        for page_index, page in enumerate(pages))
    return MappingProxyType({"pages": frozen_pages})
