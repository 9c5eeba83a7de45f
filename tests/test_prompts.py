"""Prompt folders: the built-in prompts ship inside the package (drafter/data/prompts/<version>);
a ``--prompts`` value (or a suite's ``prompts:``) naming a folder that exists is that folder,
otherwise a bare version name (``v1``) or the legacy ``prompts/v1`` is the built-in version."""

from pathlib import Path

import pytest

from drafter.errors import DrafterError
from drafter.llm.prompts import PROMPTS_DIR, load_prompt, prompt_folder
from tests.conftest import ROOT

BUILTIN_V1 = ROOT / "drafter" / "data" / "prompts" / "v1"


def test_the_built_in_prompts_are_in_the_package():
    assert PROMPTS_DIR == ROOT / "drafter" / "data" / "prompts"
    assert sorted(p.name for p in (PROMPTS_DIR / "v1").iterdir()) == ["claim_check.yml", "judge.yml", "section.yml"]
    assert not (ROOT / "prompts").exists()


@pytest.mark.parametrize("value", [None, "", "v1", "prompts/v1", "./prompts/v1", Path("prompts/v1")])
def test_a_version_name_or_the_legacy_path_is_the_built_in_folder(value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no prompts/ folder here
    assert prompt_folder(value) == BUILTIN_V1
    assert load_prompt("section", value).path == str(BUILTIN_V1 / "section.yml")


def test_an_existing_folder_is_that_folder_even_named_like_a_version(tmp_path, monkeypatch):
    own = tmp_path / "prompts" / "v1"
    own.mkdir(parents=True)
    (own / "section.yml").write_text(
        "name: section\nversion: 9\nsystem: 自己的系统提示\nprompt: 写{section_title}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert prompt_folder("prompts/v1") == Path("prompts/v1")
    prompt = load_prompt("section", "prompts/v1")
    assert (prompt.version, prompt.system, prompt.path) == (9, "自己的系统提示", str(Path("prompts/v1/section.yml")))
    (tmp_path / "v1").mkdir()
    assert prompt_folder("v1") == Path("v1")  # a folder named v1 in the working directory wins
    assert prompt_folder(str(own)) == own


@pytest.mark.parametrize("value, message", [
    ("v9", "v9: prompt folder not found (built-in versions: v1)"),
    ("prompts/v9", "prompts/v9: prompt folder not found (built-in versions: v1)"),
    ("elsewhere/v1", "elsewhere/v1: prompt folder not found (built-in versions: v1)"),
])
def test_an_unknown_folder_is_an_error_naming_it_and_the_built_in_versions(value, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DrafterError) as err:
        load_prompt("section", value)
    assert str(err.value) == message


def test_a_missing_prompt_in_an_existing_folder_names_the_file(tmp_path):
    with pytest.raises(DrafterError) as err:
        load_prompt("section", tmp_path)
    assert str(err.value) == f"{tmp_path / 'section.yml'}: prompt file not found"
