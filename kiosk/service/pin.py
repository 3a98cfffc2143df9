"""Technician PIN hashing (scrypt, RFC 7914) for the service mode's credentials in the config.

Format: ``scrypt$<salt hex>$<hash hex>`` with n=2**14, r=8, p=1 and a 32-byte key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """Hash a technician PIN for the config's ``service.pin_hash``."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=KEY_BYTES)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True if ``pin`` matches ``pin_hash``; constant-time comparison."""
    try:
        scheme, salt_hex, digest_hex = pin_hash.split("$")
        salt = bytes.fromhex(salt_hex)
        expected = bytes.fromhex(digest_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=len(expected))
    return hmac.compare_digest(digest, expected)
