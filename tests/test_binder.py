"""The Binder environment is requirements.txt plus runtime.txt, and the launch settings agree.

mybinder.org builds the reader's image with repo2docker, which looks for its configuration
files in the repository (``binder/`` or ``.binder/`` first, else the root) and picks one
build pack by the first files it finds (Dockerfile, Julia, Nix, R, conda's environment.yml,
Pipfile, then requirements.txt/runtime.txt/pyproject.toml/setup.py). The book wants exactly
the Python build pack with ``runtime.txt`` and ``requirements.txt`` at the root, so that a
reader on Binder, a reader at home (``pip install -r requirements.txt``) and CI all get the
same pinned versions.

One more file repo2docker reads cannot be avoided: ``pyproject.toml`` (the minnet package).
With ``[project]`` and ``[build-system]`` in it, repo2docker (its source as of 2026-08)
1. refuses to build if runtime.txt's Python is outside ``requires-python`` and 2. runs
``pip install .`` after the requirements. Both are checked here to be harmless: the Python
is admitted, and the package's dependencies are already pinned by requirements.txt, so the
second install adds no distribution. It does reinstall minnet from the same source as a
copy, no longer editable (measured in benchmarks/binder.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the package tomli (pip and setuptools vendor it)
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]

#: Every file or folder repo2docker (2025/2026 documentation: "Configuration files supported
#: by repo2docker") reads besides requirements.txt, runtime.txt and pyproject.toml.
OTHER_BINDER_FILES = [
    "binder", ".binder",                       # folders that would replace the root's files
    "Dockerfile",                              # Docker build pack
    "Project.toml", "JuliaProject.toml", "REQUIRE",   # Julia
    "default.nix",                             # Nix
    "install.R", "DESCRIPTION",                # R
    "environment.yml",                         # conda
    "Pipfile", "Pipfile.lock",                 # pipenv
    "requirements3.txt",                       # Python 2 runtimes' notebook environment
    "setup.py",                                # installed with pip after the requirements
    "apt.txt", "postBuild", "start",           # system packages and scripts
]

#: Distributions that replace one another by platform markers.
ALTERNATIVES = {"tensorflow": "tensorflow-cpu", "tensorflow-cpu": "tensorflow"}

#: What Binder's image is: Linux on x86-64 (repo2docker's images).
BINDER_PLATFORM = {"sys_platform": "linux", "platform_system": "Linux",
                   "platform_machine": "x86_64", "os_name": "posix"}


def _runtime_python() -> str:
    text = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(3\.\d+)", text)
    assert match, f"runtime.txt must name a Python as python-3.X, found {text!r}"
    return match.group(1)


def _requirement_lines() -> list[str]:
    lines = []
    for raw in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _binder_environment(python: str) -> dict[str, str]:
    env = default_environment()
    env.update(BINDER_PLATFORM)
    env.update(python_version=python, python_full_version=f"{python}.0",
               implementation_name="cpython", platform_python_implementation="CPython")
    return env


def _pins_for(python: str) -> dict[str, Requirement]:
    """The requirements that apply on Binder with this Python, by distribution name."""
    env = _binder_environment(python)
    pins: dict[str, Requirement] = {}
    for line in _requirement_lines():
        if line.startswith("-"):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            name = canonicalize_name(req.name)
            assert name not in pins, (
                f"two lines of requirements.txt pin {req.name} for Python {python}")
            pins[name] = req
    return pins


def test_runtime_python_is_one_the_requirements_support():
    python = _runtime_python()
    pins = _pins_for(python)
    # every distribution named in requirements.txt gets exactly one pin on this Python
    named = {canonicalize_name(Requirement(line).name)
             for line in _requirement_lines() if not line.startswith("-")}
    # a platform's alternative counts: Binder (Linux x86-64) gets tensorflow-cpu
    missing = sorted(n for n in named - set(pins) if ALTERNATIVES.get(n) not in pins)
    assert not missing, f"no line of requirements.txt applies on Python {python} for {missing}"
    assert all(str(r.specifier).startswith("==") for r in pins.values()), (
        "every requirement for Binder's Python is pinned with =="
    )
    supported = re.search(r"Supported: Python (3\.\d+) to (3\.\d+)",
                          (ROOT / "requirements.txt").read_text(encoding="utf-8"))
    assert supported, "requirements.txt states the Pythons it supports"
    low, high = (tuple(map(int, v.split("."))) for v in supported.groups())
    assert low <= tuple(map(int, python.split("."))) <= high, (
        f"runtime.txt's Python {python} is outside the supported {supported.group(0)}"
    )


def test_runtime_python_is_admitted_by_pyproject():
    python = _runtime_python()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # repo2docker stops the build ("runtime.txt version not supported by pyproject.toml")
    assert f"{python}.0" in SpecifierSet(project["requires-python"]), (
        f"runtime.txt's Python {python} is outside pyproject's requires-python "
        f"{project['requires-python']}; repo2docker would refuse to build"
    )


def test_no_other_binder_configuration_file_exists():
    found = [name for name in OTHER_BINDER_FILES if (ROOT / name).exists()]
    assert not found, (
        f"repo2docker would read {found}: Binder's environment must be requirements.txt "
        "plus runtime.txt only (remove them, or change tests/test_binder.py and "
        "benchmarks/binder.md on purpose)"
    )


def test_requirements_install_the_package_editable():
    lines = _requirement_lines()
    editable = [line for line in lines if re.fullmatch(r"(-e|--editable)\s+\.", line)]
    assert editable, "requirements.txt must install this repository with '-e .'"
    assert all(not line.startswith("-") or line in editable for line in lines), (
        "requirements.txt has other pip options than '-e .': "
        f"{[line for line in lines if line.startswith('-') and line not in editable]}"
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "minnet"
    assert "build-system" in project, "pip needs [build-system] to install '-e .'"


def test_pip_install_dot_after_the_requirements_adds_nothing():
    """repo2docker's extra `pip install .` brings no package that requirements.txt lacks."""
    python = _runtime_python()
    pins = _pins_for(python)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = _binder_environment(python)
    problems = []
    for line in project.get("dependencies", []):
        dep = Requirement(line)
        if dep.marker is not None and not dep.marker.evaluate(env):
            continue
        pin = pins.get(canonicalize_name(dep.name))
        if pin is None:
            problems.append(f"{dep.name} is not in requirements.txt")
            continue
        version = str(pin.specifier).removeprefix("==")
        if version not in dep.specifier:
            problems.append(f"{dep} is not met by the pinned {pin}")
    assert not problems, problems


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def test_launch_buttons_point_at_the_repository():
    config = _config()
    url = config["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert config["repository"].get("branch") == "main"
    launch = config["launch_buttons"]
    assert launch["binderhub_url"].rstrip("/") == "https://mybinder.org"
    assert launch.get("thebe") is True, "the Live Code button (Thebe) is on"
    assert launch.get("colab_url", "").rstrip("/") == "https://colab.research.google.com"
    assert config["html"].get("use_repository_button") is True
    # the same repository everywhere it is named
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Homepage"] == url
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    other = set(re.findall(r"https://github\.com/([\w.-]+/[\w.-]+)", readme)) - {
        url.removeprefix("https://github.com/")}
    assert not other, f"README names other repositories than {url}: {sorted(other)}"


def test_thebe_is_configured_in_the_sphinx_extension():
    config = _config()
    extensions = config["sphinx"]["local_extensions"]
    assert "minnet_thebe" in extensions, "the live-code fixes (_ext/minnet_thebe.py) are loaded"
    assert (ROOT / extensions["minnet_thebe"] / "minnet_thebe.py").is_file()


@pytest.mark.parametrize("name", ["minnet-thebe.js", "minnet-thebe.css"])
def test_live_code_assets_exist(name):
    assert (ROOT / "_ext" / "static" / name).is_file()
