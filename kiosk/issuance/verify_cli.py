"""The ``kiosk verify`` sub-command: check an issued PDF or a scanned 2D code, offline.

    kiosk verify FILE.pdf [--trust CERT.pem ...] [--config FILE]
    kiosk verify --code TEXT|- [--trust CERT.pem ...] [--signer CERT.pem ...] [--config FILE]

Exit 0 and ``valid: <number> <document code> <issued at>`` (then the signed header fields) when
valid; exit 1 and ``invalid: <reason>`` on stderr when tampered, unsigned or untrusted; exit 2 when
the check could not run (unreadable file, bad trust anchors or config). Without ``--trust`` the
anchors are the kiosk config's ``trust.authority_anchors``; the config is ``--config``, else
``$KIOSK_CONFIG``, else ``/etc/kiosk/kiosk.toml``, else the repository's ``examples/kiosk.toml``.
The document body (personal data) is never printed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from kiosk.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, command
from kiosk.config import load_config
from kiosk.errors import ConfigError, VerificationError
from kiosk.issuance.document import format_document_number
from kiosk.issuance.verify import verify_code_text, verify_pdf
from kiosk.issuance.verify_trust import TrustAnchors, load_anchors, load_certificates

SYSTEM_CONFIG = Path("/etc/kiosk/kiosk.toml")  # deployment location (systemd units)
DEVELOPMENT_CONFIG = Path(__file__).resolve().parents[2] / "examples" / "kiosk.toml"
QUIET_LOGGERS = ("pyhanko", "pyhanko_certvalidator")
MAX_PDF_BYTES = 50_000_000  # a kiosk document is well under 1 MB


def _say(stream: TextIO, text: str) -> None:
    """Write one message line for the operator (this is a command's output, not logging)."""
    stream.write(text + "\n")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", help="the issued PDF to check")
    parser.add_argument("--code", metavar="TEXT",
                        help="check a scanned 2D-code text instead ('-' reads it from stdin)")
    parser.add_argument("--trust", metavar="CERT.pem", action="append", default=[],
                        help="trusted certificate(s), PEM, may be a bundle; repeatable "
                             "(default: trust.authority_anchors of the kiosk config)")
    parser.add_argument("--signer", metavar="CERT.pem", action="append", default=[],
                        help="with --code: the content-signing certificate "
                             "(authority-ed25519.pem) if not among the trust anchors")
    parser.add_argument("--config", metavar="FILE",
                        help="kiosk config for the default trust anchors")


def default_config_path() -> Path:
    """``$KIOSK_CONFIG``, else the system config, else the development example."""
    from_env = os.environ.get("KIOSK_CONFIG")
    if from_env:
        return Path(from_env)
    return SYSTEM_CONFIG if SYSTEM_CONFIG.exists() else DEVELOPMENT_CONFIG


def _anchors(args: argparse.Namespace) -> TrustAnchors:
    if args.trust:
        return load_anchors(args.trust)
    config = load_config(args.config or default_config_path())
    return load_anchors(config.trust.authority_anchors)


def _read_code(value: str) -> str:
    return (sys.stdin.readline() if value == "-" else value).strip()


def _verify_file(path: str, anchors: TrustAnchors) -> list[str]:
    file = Path(path)
    if file.stat().st_size > MAX_PDF_BYTES:
        raise VerificationError(f"{path}: larger than any issued document",
                                code="document.malformed")
    result = verify_pdf(file.read_bytes(), anchors)
    content = result.content
    return [
        f"valid: {content.number} {content.document_code} {content.issued_at}",
        f"  title:           {content.title}",
        f"  number:          {format_document_number(content.number)}",
        f"  authority:       {content.authority}",
        f"  issued at:       {content.issued_at}",
        f"  pages:           {content.pages}",
        f"  kiosk:           {content.kiosk_id}",
        f"  transaction:     {content.transaction_id}",
        f"  pdf signer:      {result.pdf_signer}",
        f"  signed at:       {result.signed_at.isoformat() if result.signed_at else 'unknown'}",
        f"  content signer:  {result.content_signer}",
    ]


def _verify_code(text: str, anchors: TrustAnchors, signer_paths: list[str]) -> list[str]:
    signers = tuple(certificate for path in signer_paths
                    for certificate in load_certificates(Path(path).read_bytes(), path))
    result = verify_code_text(text, anchors, signers)
    fields = result.fields
    return [
        f"valid: {fields.number} {fields.document_code} {fields.issued_at}",
        f"  number:          {format_document_number(fields.number)}",
        f"  document:        {fields.document_code}",
        f"  issued at:       {fields.issued_at}",
        f"  pages:           {fields.pages}",
        f"  content digest:  {fields.digest}",
        f"  content signer:  {result.content_signer}",
        "  compare the number, issue time and page count with the paper.",
    ]


@command("verify", "verify an issued document PDF or its scanned 2D code (exit 1 if invalid)",
         _arguments)
def verify_command(args: argparse.Namespace) -> int:
    for library in QUIET_LOGGERS:
        # Their tracebacks for an untrusted or broken signature would bury our one-line reason.
        logging.getLogger(library).addHandler(logging.NullHandler())
    if (args.file is None) == (args.code is None):
        _say(sys.stderr, "verify: give either FILE.pdf or --code TEXT")
        return EXIT_CONFIG
    try:
        anchors = _anchors(args)
    except ConfigError as exc:
        _say(sys.stderr, f"verify: trust anchors: {exc}")
        return EXIT_CONFIG
    try:
        if args.file is not None:
            lines = _verify_file(args.file, anchors)
        else:
            lines = _verify_code(_read_code(args.code), anchors, args.signer)
    except OSError as exc:
        _say(sys.stderr, f"verify: cannot read {exc.filename}: {exc.strerror}")
        return EXIT_CONFIG
    except VerificationError as exc:
        _say(sys.stderr, f"invalid: {exc.detail}")
        return EXIT_FAILED
    _say(sys.stdout, "\n".join(lines))
    return EXIT_OK
