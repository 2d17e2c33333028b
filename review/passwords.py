"""Password hashes: argon2id through pwdlib (its recommended parameters), stored in users.password_hash."""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 8


@cache
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``; refuses one shorter than MIN_PASSWORD_LENGTH characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher().hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher().hash("no such user: a hash to spend the same time on")


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash``. Without a hash (no such user) a dummy one is
    verified all the same, so that an unknown name takes as long as a wrong password."""
    if not password_hash:
        _hasher().verify(password, _dummy_hash())
        return False
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # a malformed or foreign hash in the table is a failed login, not a 500
        return False
