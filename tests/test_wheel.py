"""Packaging: drafter installs anywhere, not only as an editable checkout.

The wheel is built offline (``pip wheel --no-deps --no-build-isolation`` from a clean copy of
the source), installed into a fresh virtual environment outside the checkout whose dependencies
are the project's .venv packages (a .pth file naming the .venv's site-packages: no network), and
run from a working directory that has no prompts/ or drafter/ folder: a review of a seed report
and a draft through the scripted OpenAI-compatible server must work from the installed files.

Also: every third-party module drafter and its tests import is declared in pyproject.toml, and
constraints.txt pins every declared dependency inside its range."""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT
from tests.fake_openai import FakeOpenAI

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".hypothesis", ".drafter", "runs", "results", "artifacts", "out")


# --- the wheel --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # a clean copy: setuptools reuses build/ in the source folder, where a stale file would ship
    src = tmp_path_factory.mktemp("src") / "drafter-src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                           "--no-index", "--quiet", "-w", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (whl,) = out.glob("drafter-*.whl")
    return whl


def _source_files(folder: Path) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_the_wheel_holds_the_package_and_its_data_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    dist_info = {n for n in names if n.startswith("drafter-0.1.0.dist-info/")}
    assert {n.split("/")[0] for n in names - dist_info} == {"drafter"}  # no tests/, benchmarks/, corpus/, prompts/
    assert names - dist_info == _source_files(ROOT / "drafter")
    for path in ["drafter/data/prompts/v1/section.yml", "drafter/data/prompts/v1/claim_check.yml",
                 "drafter/data/prompts/v1/judge.yml", "drafter/data/templates/gd-annex5.yml",
                 "drafter/data/templates/national-table.yml", "drafter/data/templates/hb-yn-selfeval.yml",
                 "drafter/data/rules/budget-identity.yml", "drafter/data/inject.yml",
                 "drafter/data/eval_report.html.j2",
                 "drafter/web/templates/base.html", "drafter/web/templates/review.html", "drafter/web/static/app.js",
                 "drafter/web/static/style.css"]:
        assert path in names
    assert (len([n for n in names if n.startswith("drafter/data/rules/")])
            == len(list((ROOT / "drafter/data/rules").glob("*.yml"))) >= 36)
    entry_points = zipfile.ZipFile(wheel).read("drafter-0.1.0.dist-info/entry_points.txt").decode()
    assert "drafter = drafter.cli:main" in entry_points


def test_the_wheel_has_no_synthetic_report_generator(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n in names if "synth" in n] == []


# --- installed outside the checkout -----------------------------------------------------------
@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """(python, drafter script, site-packages, a clean working folder, the environment)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                           "--quiet", str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies: this environment's packages, seen after the new venv's own
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "project-deps.pth").write_text("".join(f"{p}\n" for p in ours), encoding="utf-8")
    work = tmp_path_factory.mktemp("work")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update({"OPENAI_API_KEY": "sk-default-must-not-leak", "DRAFTER_TIMEOUT": "20", "COLUMNS": "200"})
    return python, venv / "bin" / "drafter", site, work, env


def _run(installed, *args, timeout=300):
    python, script, site, work, env = installed
    return subprocess.run([str(a) for a in args], cwd=work, capture_output=True, text=True, env=env, timeout=timeout)


def test_drafter_and_its_prompts_are_imported_from_the_installed_package(installed):
    python, script, site, work, env = installed
    assert sorted(p.name for p in work.iterdir()) == []
    proc = _run(installed, python, "-c",
                "import drafter, json; from drafter.llm.prompts import load_prompt, prompt_folder; "
                "print(json.dumps([drafter.__file__, load_prompt('section').path, str(prompt_folder('prompts/v1'))]))")
    assert proc.returncode == 0, proc.stderr
    module, prompt, legacy = json.loads(proc.stdout)
    assert module == str(site / "drafter" / "__init__.py")
    assert prompt == str(site / "drafter" / "data" / "prompts" / "v1" / "section.yml")
    assert legacy == str(site / "drafter" / "data" / "prompts" / "v1")
    assert not Path(prompt).resolve().is_relative_to(ROOT)


def test_the_installed_command_reviews_a_seed_report_as_the_checkout_does(installed):
    work = installed[3]
    (work / "corpus").mkdir(exist_ok=True)
    shutil.copy(ROOT / "corpus" / "gd-2023-zwxt-gl.md", work / "corpus")
    proc = _run(installed, installed[1], "review", "corpus/gd-2023-zwxt-gl.md", "--format", "json", "--no-index")
    assert proc.returncode == 1, proc.stderr  # error-level findings
    result = json.loads(proc.stdout)
    assert [f["rule"] for f in result["findings"]] == [
        "template-instruction", "intensifier-claim", "adjustment-unexplained", "score-exceeds-execution",
        "stock-phrases", "all-used-vs-balance", "execution-unexplained", "stock-phrases", "vague-problem",
        "template-instruction", "slogan-improvements"]
    # byte for byte the golden review of the checkout (tests/test_golden.py)
    assert proc.stdout == (ROOT / "tests" / "golden" / "corpus__gd-2023-zwxt-gl.md.json").read_text(encoding="utf-8")


def test_the_installed_command_drafts_through_an_openai_compatible_server(installed, wheel):
    work = installed[3]
    shutil.copy(ROOT / "examples" / "facts-jstg.yaml", work / "facts.yaml")
    server = FakeOpenAI()
    server.default = lambda body: (
        body["messages"][-1]["content"].split("本部分要写的事实：", 1)[1].split("可参考的往年同类段落", 1)[0].strip())
    try:
        proc = _run(installed, installed[1], "draft", "facts.yaml", "--backend", "openai", "--model", "scripted",
                    "--base-url", server.url, "--runs", "runs", "--cache", "cache", "-o", "out.md")
    finally:
        server.close()
    assert proc.returncode == 0, proc.stderr
    text = (work / "out.md").read_text(encoding="utf-8")
    assert "2023 年本项目支出 22516 元，结余 4484 元，预算执行率为 83.39%" in text
    assert server.requests and all(r["path"] == "/v1/chat/completions" for r in server.requests)
    assert all("sk-default-must-not-leak" not in r["auth"] for r in server.requests)
    # the system prompt sent is the installed section prompt's
    shipped = yaml.safe_load(zipfile.ZipFile(wheel).read("drafter/data/prompts/v1/section.yml"))
    assert {r["body"]["messages"][0]["content"] for r in server.requests} == {shipped["system"]}
    assert not (work / "prompts").exists() and not (work / "drafter").exists()


# --- declared dependencies --------------------------------------------------------------------
# imported only when asked for: --embedding st:PATH needs sentence-transformers (not declared)
OPTIONAL_IMPORTS = {"sentence_transformers"}
# needed without being imported: FastAPI parses uploads with python-multipart
# declared but not imported by name: FastAPI needs python-multipart for uploads; drafter.text.normalise
# reads the character tables of opencc-python-reimplemented as package data
NOT_IMPORTED = {"python-multipart", "opencc-python-reimplemented"}
LOCAL_TEST_MODULES = {"tests", "fake_openai", "docgen", "conftest"}


def _imports(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"__future__", "drafter"}


def _distributions(modules: set[str]) -> set[str]:
    provided = md.packages_distributions()
    missing = sorted(m for m in modules if m not in provided)
    assert missing == [], f"imported but not installed: {missing}"
    return {canonicalize_name(d) for m in modules for d in provided[m]}


def _declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_the_dependencies_are_exactly_what_drafter_imports():
    imported = _distributions(_imports(ROOT / "drafter") - OPTIONAL_IMPORTS)
    assert "numpy" in imported and "langchain" not in imported
    assert _declared(PROJECT["dependencies"]) == imported | NOT_IMPORTED


def test_what_the_tests_and_benchmarks_import_is_declared():
    imported = _distributions((_imports(ROOT / "tests") | _imports(ROOT / "benchmarks")) - LOCAL_TEST_MODULES)
    declared = _declared(PROJECT["dependencies"]) | _declared(PROJECT["optional-dependencies"]["dev"])
    assert sorted(imported - declared) == []


def test_constraints_pin_every_declared_dependency_within_its_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    for spec in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{req.name}=={pins[name]} is outside {req.specifier}")
    assert "langchain" not in pins and "pip" not in pins and "drafter" not in pins
