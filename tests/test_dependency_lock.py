"""The lock files install exactly what pyproject.toml allows, each pin with its hashes.

`make setup` installs requirements-bootstrap.txt and requirements-dev.txt with --require-hashes;
production installs requirements.txt. Editing a range in pyproject.toml without running
`make lock` would leave the lock describing another project: these tests say so at once,
without the network.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def pins(lock: str) -> dict[str, str]:
    """Package name to pinned version, for every pin in a lock file."""
    found: dict[str, str] = {}
    for line in (ROOT / lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match[1])] = match[2]
    return found


def declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(line) for line in project["dependencies"]]
    development = [Requirement(line) for line in project["optional-dependencies"]["dev"]]
    return runtime, development


def unmet(requirements: list[Requirement], locked: dict[str, str]) -> list[str]:
    problems = []
    for requirement in requirements:
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement} is not locked")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} is locked at {version}")
    return problems


def test_every_runtime_dependency_is_locked_within_its_range_for_production_and_tests() -> None:
    runtime, _development = declared()
    assert unmet(runtime, pins("requirements.txt")) == [], "run `make lock`"
    assert unmet(runtime, pins("requirements-dev.txt")) == [], "run `make lock`"


def test_every_development_tool_is_locked_within_its_range() -> None:
    _runtime, development = declared()
    assert unmet(development, pins("requirements-dev.txt")) == [], "run `make lock`"


def test_tests_run_on_exactly_the_versions_production_installs() -> None:
    production, development = pins("requirements.txt"), pins("requirements-dev.txt")
    differing = {
        name: (version, development.get(name))
        for name, version in production.items()
        if development.get(name) != version
    }
    assert differing == {}


def test_the_virtual_environment_is_built_with_a_locked_current_pip_and_setuptools() -> None:
    bootstrap = pins("requirements-bootstrap.txt")
    assert int(bootstrap["pip"].split(".")[0]) >= 24
    assert int(bootstrap["setuptools"].split(".")[0]) >= 70


def test_every_pin_carries_hashes_so_pip_can_require_them() -> None:
    for lock in ("requirements-bootstrap.txt", "requirements.txt", "requirements-dev.txt"):
        text = (ROOT / lock).read_text()
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        pinned = [block for block in blocks if PIN.match(block)]
        assert pinned, lock
        without = [block.split()[0] for block in pinned if "--hash=sha256:" not in block]
        assert without == [], f"{lock}: {without}"
