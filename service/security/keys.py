"""API keys: `lw_<prefix>_<secret>`. The prefix finds the row; the secret is checked against an argon2 hash.

The full key is returned once, at creation, and never stored or logged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["KeyMaterial", "hash_secret", "new_api_key", "split_key", "verify_secret"]

# Keys are 192-bit random, so the hash guards against a leaked database, not guessing: modest cost is enough.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@dataclass(frozen=True)
class KeyMaterial:
    prefix: str
    secret_hash: str
    key: str  # show once


def new_api_key() -> KeyMaterial:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    return KeyMaterial(prefix, hash_secret(secret), f"lw_{prefix}_{secret}")


def split_key(key: str) -> tuple[str, str] | None:
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "lw" or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1], parts[2]


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    try:
        return _HASHER.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
