"""environment.yml (conda) and pyproject.toml (pip) must describe the same environment."""

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def normalise(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    # conda pins python 3.11, so backports marked for older Pythons do not belong in it
    pip_side = dict(normalise(r) for r in requirements if "python_version < '3.11'" not in r)
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    # packages only on PyPI sit in the pip section, before the editable install of the project
    pip_only = [d for d in pip_section if not d.startswith("-")]
    conda_side = dict(normalise(d) for d in conda + pip_only if not d.startswith(("python", "pip")))
    assert conda_side == pip_side
    assert "python=3.11" in conda
    assert "-e ." in pip_section
