"""``make lint`` type-checks every app of the project (pyproject.toml [tool.mypy]): mypy
reads only the packages it is given, so an app left out would go unchecked."""

import tomllib

from tests.test_layers import ROOT, _project_packages


def test_mypy_checks_every_app_of_the_project():
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert {"crosscheck", "corpus", "claims"} <= _project_packages()
    assert _project_packages() <= set(mypy["packages"])


def test_make_lint_runs_mypy():
    lint = (ROOT / "Makefile").read_text().split("\nlint:")[1].split("\n\n")[0]
    assert "-m mypy" in lint
