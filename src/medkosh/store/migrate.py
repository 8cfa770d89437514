"""Alembic, driven from code: `medkosh db upgrade` and every service start run `upgrade heads`.

Each domain keeps its own migration branch (branch_labels = domain name), so domains evolve
independently; cross-domain foreign keys use `depends_on`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from medkosh.store.db import get_engine, normalise_url

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    engine = get_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def current_heads(url: str) -> set[str]:
    with get_engine(url).connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def script_heads(url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def is_up_to_date(url: str) -> bool:
    # A branch head reached through another branch's `depends_on` is not stored as a head by Alembic,
    # so compare against everything the current heads include, dependencies too.
    current = current_heads(url)
    script = ScriptDirectory.from_config(alembic_config(url))
    applied = {r.revision for r in script.revision_map.iterate_revisions(tuple(current), "base",
                                                                          select_for_downgrade=True)}
    return script_heads(url) <= applied
