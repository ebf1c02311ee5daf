"""The hand-entered portfolio, seeded once per database for every frames test.

Migrating and seeding a database takes about a second; the frames tests only
read, so they share one seeded SQLite file and one seeded PostgreSQL database
(``hand_db`` is parametrized over both, as ``any_db`` is).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portfolio_kit import Database, connect
from tests.frames.hand_portfolio import HandPortfolio, seed_hand_portfolio


@dataclass(frozen=True, slots=True)
class Seeded:
    db: Database
    ids: HandPortfolio
    url: str
    backend: str


@pytest.fixture(
    scope="package",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def hand_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("frames") / "hand.db"
        url = f"sqlite:///{path}"
        database = connect(url)
        yield Seeded(database, seed_hand_portfolio(database), url, "sqlite")
        database.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_migrated_database()
    database = connect(url, migrate=False)
    try:
        yield Seeded(database, seed_hand_portfolio(database), url, "postgresql")
    finally:
        database.dispose()
        server.drop_database(database.url.database)
