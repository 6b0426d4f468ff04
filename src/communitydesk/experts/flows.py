"""Import the whole expert directory in one transaction: taxonomy, then people, then routes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from communitydesk.config import Settings
from communitydesk.experts import importer, service
from communitydesk.experts.schemas import ExpertsImport
from communitydesk.taxonomy import importer as taxonomy_importer
from communitydesk.taxonomy.aliases import AliasTable, Resolver
from communitydesk.taxonomy.models import Category
from communitydesk.taxonomy.schemas import TaxonomyImport

logger = logging.getLogger(__name__)


@dataclass
class DirectoryImport:
    """What `desk experts import` did."""

    taxonomy: TaxonomyImport | None = None
    experts: ExpertsImport = field(default_factory=ExpertsImport)

    @property
    def warnings(self) -> list[str]:
        return [*(self.taxonomy.warnings if self.taxonomy else []), *self.experts.warnings]


def alias_table(settings: Settings) -> AliasTable:
    """Return the built-in aliases plus the configured file's."""
    extra = [settings.routing.aliases_file] if settings.routing.aliases_file else []
    return AliasTable.load(extra)


def resolver(session: Session, settings: Settings) -> Resolver:
    """Return a name resolver for the stored directory."""
    return Resolver.from_session(session, alias_table(settings))


def import_directory(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    taxonomy: Path | None = None,
    people: Path | None = None,
    routes: Path | None = None,
    prune: bool = False,
) -> DirectoryImport:
    """Import what is given; every file is read and checked before anything is stored."""
    people = people or settings.experts.people_file
    routes = routes or settings.experts.routes_file
    result = DirectoryImport()
    with sessions() as session, session.begin():
        if taxonomy is not None:
            stages_path, categories_path = taxonomy_importer.directory_files(taxonomy)
            result.taxonomy = taxonomy_importer.import_files(
                session,
                stages_path=stages_path,
                categories_path=categories_path,
                features_path=taxonomy_importer.features_file(taxonomy),
                prune=prune,
            )
        names = resolver(session, settings)
        categories = set(session.scalars(select(Category.key)))
        if people is not None:
            specs, warnings = importer.read_people(people, names, categories)
            result.experts.warnings.extend(warnings)
            service.upsert_people(session, specs, result.experts)
        if routes is not None:
            route_specs, warnings = importer.read_routes(routes, names)
            result.experts.warnings.extend(warnings)
            service.upsert_routes(session, route_specs, result.experts)
    for warning in result.warnings:
        logger.info("experts import: %s", warning)
    return result
