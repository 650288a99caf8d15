"""The tree says where the database is (issue #10, 5): the rules in `models/` import no
database, HTTP or Prefect code, at the top or inside a function; `models/store/` is the
case store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = ("sqlalchemy", "alembic", "prefect", "httpx", "psycopg")
RULES = sorted(p for p in (ROOT / "models").glob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", RULES, ids=[p.name for p in RULES])
def test_rules_modules_import_no_database_http_or_prefect_code(path: Path) -> None:
    heavy = {n for n in imported(path) if n.split(".")[0] in HEAVY or n.startswith("models.store")}
    assert not heavy, f"{path.name} imports {sorted(heavy)}: rules stay pure (models/store/ " \
                      "holds the database code)"


def test_the_store_lives_in_its_own_package() -> None:
    assert {p.name for p in (ROOT / "models" / "store").glob("*.py")} >= {
        "__init__.py", "db.py", "repo.py", "story.py"}
    assert not (ROOT / "models" / "db.py").exists()
