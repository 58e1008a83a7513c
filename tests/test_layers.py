"""The layers contract (pyproject.toml, checked by ``make lint`` with import-linter) covers
every app of the project. import-linter reads only the root packages it is given, and an
optional layer that it cannot find is skipped: an app left out would go unchecked."""

import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _project_packages() -> set[str]:
    """The top-level packages of the installed apps that live in this repository."""
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT)
        and ".venv" not in Path(config.path).resolve().relative_to(ROOT).parts
    }


def test_every_app_of_the_project_is_a_root_package_of_the_contracts():
    assert {"crosscheck", "corpus", "claims"} <= _project_packages()
    assert _project_packages() <= set(_config()["root_packages"])


def test_every_root_package_has_its_layer_and_is_checked_for_cycles():
    contracts = {contract["id"]: contract for contract in _config()["contracts"]}
    layered = {
        name.strip().strip("()")
        for layer in contracts["layers"]["layers"]
        for name in layer.split("|")
    }
    root_packages = set(_config()["root_packages"])
    assert root_packages <= layered
    assert root_packages <= set(contracts["acyclic"]["ancestors"])
