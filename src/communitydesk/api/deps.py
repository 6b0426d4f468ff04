"""Request dependencies shared by the API and the web pages: database session, desk, current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from communitydesk.runtime import Desk
from communitydesk.tickets.schemas import Actor
from communitydesk.users import service as users
from communitydesk.users.models import User


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def get_db(desk: DeskDep) -> Iterator[Session]:
    """Yield a session; handlers that write call commit(), anything else is rolled back."""
    with desk.sessions() as session:
        try:
            yield session
        finally:
            session.rollback()


DbSession = Annotated[Session, Depends(get_db)]


# auto_error=False: the scheme appears in OpenAPI, while the 401 below keeps its own message.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="DeskToken",
    bearerFormat="desk_...",
    description="An API token from `desk token create`, sent as 'Authorization: Bearer desk_...'.",
)
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def get_api_user(credentials: BearerCredentials, db: DbSession) -> User:
    """Resolve the bearer token of an API request, or answer 401."""
    token = credentials.credentials.strip() if credentials is not None else ""
    user = users.user_for_token(db, token) if token else None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid API token; send 'Authorization: Bearer <token>' (desk token create)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    db.commit()  # keep last_used_at
    return user


ApiUser = Annotated[User, Depends(get_api_user)]


def require_api_editor(user: ApiUser) -> User:
    """Refuse writes from viewers."""
    if not user.can_edit:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"role {user.role!r} cannot change anything")
    return user


ApiEditor = Annotated[User, Depends(require_api_editor)]


def actor_for(user: User) -> Actor:
    return Actor(label=user.name, user_id=user.id)
