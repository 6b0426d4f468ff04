"""Users, password hashing (argon2) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.users.models import ROLES, ApiToken, User, WebSession

_hasher = PasswordHasher()
TOKEN_PREFIX = "desk_"  # noqa: S105 - a public prefix, not a secret
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user change the desk refuses, with a message fit for the user."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create(session: Session, *, email: str, name: str, role: str, password: str) -> User:
    """Create a user with a hashed password."""
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if "@" not in email:
        raise UserError(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if get_by_email(session, email) is not None:
        raise UserError(f"a user with email {email} already exists")
    user = User(email=email, name=name.strip() or email, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def get(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_all(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.id)).all()


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """Return the active user with this email and password, else None."""
    user = get_by_email(session, email)
    if user is None or not user.is_active:
        _hasher.hash(password)  # spend the same time whether or not the email exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, *, name: str) -> str:
    """Create an API token for a user and return it; only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active user owning a token, recording its use."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    row.last_used_at = utcnow()
    return user


def start_web_session(session: Session, user: User) -> str:
    """Record a browser login and return the random id its cookie carries."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user.id, token_hash=_digest(token), created_at=utcnow()))
    session.flush()
    return token


def user_for_web_session(session: Session, token: str, *, max_age_seconds: int) -> User | None:
    """Return the active user of a browser login that has not ended or expired."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if row is None or utcnow() - row.created_at > timedelta(seconds=max_age_seconds):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def end_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def end_web_sessions(session: Session, user: User) -> int:
    """End every browser login of a user (password reset, deactivation); return how many there were."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)
