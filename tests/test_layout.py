"""Dependencies point one way: hiring -> models, scoring; scoring never sees Flask or the database."""

import ast
from pathlib import Path

import pytest

from hiring import ROOT


def imported_packages(package: str) -> set[str]:
    """Return the top-level names imported anywhere in a package."""
    names = set()
    for path in Path(ROOT, package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("scoring", {"flask", "flask_sqlalchemy", "flask_login", "hiring", "models", "sqlalchemy"}),
        ("models", {"flask", "flask_login", "flask_wtf", "hiring", "scoring"}),
    ],
)
def test_package_imports_point_one_way(package, forbidden):
    assert imported_packages(package) & forbidden == set()
