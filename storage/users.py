"""The ``users`` table: accounts of the review web app. Storage keeps the password *hash* the web
package made (pwdlib) and never sees a password; users are disabled, never deleted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.common import utcnow
from storage.models import USER_ROLES, User


@dataclass(frozen=True)
class UserView:
    id: int
    name: str
    role: str  # analyst | viewer
    password_hash: str
    disabled: bool


def _view(user: User) -> UserView:
    return UserView(user.id, user.name, user.role, user.password_hash, bool(user.disabled))


def _check_name(name: str) -> str:
    clean = (name or "").strip()
    if not clean or len(clean) > 64 or any(c.isspace() for c in clean):
        raise ValueError(f"user name {name!r} must be 1 to 64 characters without spaces")
    return clean


def _check_role(role: str) -> str:
    if role not in USER_ROLES:
        raise ValueError(f"unknown role {role!r} for a user; known: {', '.join(USER_ROLES)}")
    return role


def _check_hash(password_hash: str) -> str:
    if not password_hash:
        raise ValueError("a user needs a password hash (made by the web package), not an empty string")
    return password_hash


def add_user(session: Session, name: str, role: str, password_hash: str) -> UserView:
    """Add a user; ``ValueError`` when the name is taken, malformed, or the role unknown."""
    user = User(
        name=_check_name(name),
        role=_check_role(role),
        password_hash=_check_hash(password_hash),
        created_at=utcnow(),
        disabled=False,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise ValueError(f"a user named {user.name!r} exists already") from None
    return _view(user)


def find_user(session: Session, name: str) -> UserView | None:
    """The user called ``name`` (exact, case-sensitive), disabled ones included; None: none."""
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    return _view(user) if user is not None else None


def list_users(session: Session) -> list[UserView]:
    """Every user, by name."""
    return [_view(user) for user in session.execute(select(User).order_by(User.name)).scalars()]


def _existing(session: Session, name: str) -> User:
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        raise ValueError(f"no user named {name!r}")
    return user


def set_user_password(session: Session, name: str, password_hash: str) -> UserView:
    """Replace the password hash of ``name``; ``ValueError`` when there is no such user."""
    user = _existing(session, name)
    user.password_hash = _check_hash(password_hash)
    session.flush()
    return _view(user)


def set_user_disabled(session: Session, name: str, disabled: bool = True) -> UserView:
    """Disable (or enable again) ``name``; their reviews stay."""
    user = _existing(session, name)
    user.disabled = disabled
    session.flush()
    return _view(user)


def set_user_role(session: Session, name: str, role: str) -> UserView:
    """Change the role of ``name`` (analyst | viewer)."""
    user = _existing(session, name)
    user.role = _check_role(role)
    session.flush()
    return _view(user)
