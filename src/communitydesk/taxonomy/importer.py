"""Import a product directory folder: find its files, read and check them, and upsert them by key.

The format and its checks are in `directory_format`; this module is where the files come from (a folder
holding stages.yml, categories.yml and an optional features.yml) and where they go (the database).
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from communitydesk.taxonomy import service
from communitydesk.taxonomy.directory_format import (
    CATEGORIES_FILE,
    FEATURES_FILE,
    STAGES_FILE,
    parse_directory,
)
from communitydesk.taxonomy.schemas import Directory, TaxonomyImport
from communitydesk.taxonomy.yaml_files import read_yaml

logger = logging.getLogger(__name__)


def directory_files(folder: Path) -> tuple[Path, Path]:
    """Return a folder's stages.yml and categories.yml, or raise FileNotFoundError naming what is missing."""
    if folder.is_file():
        folder = folder.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder}: no such folder; expected a folder with {STAGES_FILE} and {CATEGORIES_FILE}"
        )
    paths = (folder / STAGES_FILE, folder / CATEGORIES_FILE)
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: missing {' and '.join(missing)}; expected {STAGES_FILE} and {CATEGORIES_FILE} "
            "in GitLab's format (www-gitlab-com data/)"
        )
    return paths


def features_file(folder: Path) -> Path | None:
    """Return a directory folder's optional features.yml, or None when it has none."""
    path = (folder.parent if folder.is_file() else folder) / FEATURES_FILE
    return path if path.is_file() else None


def read_directory(stages_path: Path, categories_path: Path, features_path: Path | None = None) -> Directory:
    """Read and check a directory's two files (and its features file, when given)."""
    return parse_directory(
        read_yaml(stages_path),
        read_yaml(categories_path),
        stages_source=str(stages_path),
        categories_source=str(categories_path),
        features_data=read_yaml(features_path) if features_path is not None else None,
        features_source=str(features_path) if features_path is not None else None,
    )


def import_files(
    session: Session,
    *,
    stages_path: Path,
    categories_path: Path,
    features_path: Path | None = None,
    prune: bool = False,
) -> TaxonomyImport:
    """Import a directory's files into the session's transaction (rows are upserted by key)."""
    directory = read_directory(stages_path, categories_path, features_path)
    result = service.upsert_directory(session, directory=directory, prune=prune)
    for warning in result.warnings:
        logger.info("taxonomy import: %s", warning)
    return result


def import_folder(sessions: sessionmaker[Session], folder: Path, *, prune: bool = False) -> TaxonomyImport:
    """Import the stages.yml, categories.yml (and features.yml, if any) of a folder in one transaction."""
    stages_path, categories_path = directory_files(folder)
    with sessions() as session, session.begin():
        return import_files(
            session,
            stages_path=stages_path,
            categories_path=categories_path,
            features_path=features_file(folder),
            prune=prune,
        )
