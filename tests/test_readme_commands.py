"""Every drafter command the README shows works as shown (issue 14): the ```sh/```bash/```console
blocks are read, and each distinct ``drafter`` command in them is run once, in README order, in a
temporary copy of the project's bundled files (corpus/, examples/, evals/). Exit 0, or 1 when a
review reported error-level findings; never a traceback. Lines that are not drafter commands
(make, curl) are not run; the drafter commands that cannot run here are in SKIPPED with the reason,
and an entry the README no longer shows fails the test, so the list stays short and true."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DRAFTER = str(Path(sys.executable).parent / "drafter")
FENCE = re.compile(r"^[ \t]*```(sh|bash|console)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M)

# the README's stand-ins for a user's own files, made from the bundled ones
USER_FILES = {"facts.yaml": "examples/facts-zwxt.yaml", "报告.md": "corpus/gd-2023-zwxt-gl.md"}

# drafter commands the README shows that this test does not run, each with the reason
SKIPPED = {
    # a user's own files, not bundled
    "drafter review 报告.docx 报告.pdf --format json": "a user's .docx/.pdf",
    "drafter review 报告.docx --format docx -o 报告-审核.docx": "a user's .docx",
    "drafter review 各单位报告/ --summary 汇总.xlsx": "a user's folder of reports",
    "drafter review 各单位报告/ --format json --jobs 2 > all.json": "a user's folder of reports",
    "drafter index corpus/ old-reports/": "old-reports/ is a user's folder",
    "drafter index notes/ --force notes/旧报告.txt": "a user's folder",
    "drafter index --remove old-reports/旧报告.docx": "a user's file",
    "drafter review 新报告.docx": "a user's .docx",
    "drafter facts import 自评表.xlsx -o facts.yaml": "a user's 自评表",
    "drafter facts extract 2023年报告.docx -o facts.yaml": "a user's .docx",
    "drafter facts extract 报告.pdf --unit 某某局 --year 2024": "a user's .pdf",
    "drafter eval compare RUN_A RUN_B": "RUN_A and RUN_B stand for the ids of two runs",
    # a model endpoint (network)
    "drafter draft facts.yaml --backend openai --model qwen-plus "
    "--base-url https://dashscope.aliyuncs.com/compatible-mode/v1 -o draft.md": "a model endpoint",
    "drafter eval evals/default.yaml --prompts v1 --prompts my-prompts/v2 --backend openai --model qwen-plus "
    "--base-url http://10.0.0.5:8000/v1 --jobs 4": "a model endpoint and a user's prompts folder",
    # a server that runs until stopped
    "drafter serve": "a server",
    "drafter serve --host 0.0.0.0 --port 8080 --token $(openssl rand -hex 16)": "a server",
    "drafter serve --workers 4 --time-limit 60 --memory-limit 2048": "a server",
}


def readme_commands(text: str) -> list[list[str]]:
    """The drafter commands of the README's shell blocks, as argument lists (``drafter`` first),
    each once, in order: continuation lines joined, comments and a ``$ `` prompt dropped."""
    commands: list[list[str]] = []
    for block in FENCE.finditer(text):
        for line in block.group(2).replace("\\\n", " ").splitlines():
            words = shlex.split(line.strip().removeprefix("$ "), comments=True)
            if words and words[0] in (".venv/bin/drafter", "drafter"):
                command = ["drafter", *words[1:]]
                if command not in commands:
                    commands.append(command)
    return commands


COMMANDS = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
TO_RUN = [c for c in COMMANDS if " ".join(c) not in SKIPPED]


def test_the_readme_shows_the_commands_and_every_skip_is_still_there():
    shown = {" ".join(c) for c in COMMANDS}
    assert sorted(set(SKIPPED) - shown) == []
    assert [" ".join(c) for c in TO_RUN] == [
        "drafter review corpus/",
        "drafter review 报告.md --format line --min-level warning",
        "drafter rules",
        "drafter rules --format json",
        "drafter index --stats",
        "drafter draft examples/facts-zwxt.yaml -o draft.docx",
        "drafter draft facts.yaml --section 二/（二）/1",
        "drafter facts schema > facts.schema.json",
        "drafter eval evals/default.yaml",
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the bundled files, with the user's files the README names."""
    root = tmp_path_factory.mktemp("readme")
    (root / "home").mkdir()
    for name in ("corpus", "examples", "evals"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("results", "__pycache__"))
    for name, source in USER_FILES.items():
        shutil.copy(ROOT / source, root / name)
    return root


@pytest.mark.parametrize("command", TO_RUN, ids=" ".join)
def test_a_readme_command_works_as_shown(command, project):
    args, target = command[1:], None
    if ">" in args:  # `drafter facts schema > facts.schema.json`
        at = args.index(">")
        args, target = args[:at], project / args[at + 1]
    # as a new user: no config file of this machine's user, no DRAFTER_* variables
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTER_")} | {"HOME": str(project / "home")}
    result = subprocess.run([DRAFTER, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    # 1 means "error-level findings were reported", which only a review does
    assert result.returncode in ((0, 1) if args[0] == "review" else (0,)), result.stderr
    if target is not None:
        target.write_text(result.stdout, encoding="utf-8")
        assert result.stdout.startswith("{")
