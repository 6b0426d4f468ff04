"""Alembic environment: uses the engine handed in by communitydesk.db.migrate."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import MetaData, TypeDecorator

from communitydesk.db.base import NAMING_CONVENTION


# Migrations describe the schema themselves and never import app models; autogenerate compares
# against the models only when a developer writes a new migration (see docs/development.md).
def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Render the app's TypeDecorators as plain SQLAlchemy types so migrations never import app code.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


config = context.config
engine = config.attributes["connection_engine"]
target_metadata: MetaData | None = config.attributes.get("target_metadata")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata or MetaData(naming_convention=NAMING_CONVENTION),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
