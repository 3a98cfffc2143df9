"""What every form builder of the backend simulator receives, and the errors it may raise.

A form builder is a pure function ``(FormRequest) -> body`` (the ``{"pages": [...]}`` of the
document contract). It raises :class:`NotFound` when the register has no such record and
:class:`NotIssuable` when the record exists but the document may not be issued (e.g. tax
arrears for a 납세증명서). Error texts name what is missing, never personal data.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.backend.subjects import Person


class FormError(Exception):
    """A document cannot be built; ``error`` is the API's error code."""

    error = "form_error"
    status = 422


class NotFound(FormError):
    error = "record_not_found"
    status = 404


class NotIssuable(FormError):
    error = "not_issuable"
    status = 422


class MissingOption(FormError):
    """An option the chosen variant needs was not given (e.g. the unit of a 전유부)."""

    error = "bad_option"
    status = 422


class NotEntitled(FormError):
    error = "not_entitled"
    status = 403


@dataclass(frozen=True)
class FormRequest:
    """One document to build: its code, validated options, the identified subject, the time."""

    document_code: str
    options: Mapping[str, Any]
    subject: Person | None
    issued_at: datetime.datetime

    @property
    def today(self) -> datetime.date:
        return self.issued_at.date()

    def require_subject(self) -> Person:
        if self.subject is None:
            raise NotEntitled("this document needs an identified citizen")
        return self.subject

    def detailed(self) -> bool:
        """Family-relation certificates: 상세 (detailed) rather than 일반 (general)."""
        return self.options.get("detail") == "detailed"
