"""The command line's structure: one error boundary for every command, the options several
commands share, ``drafter eval`` with its default and its ``compare`` subcommand, and the one
chat-model builder that every caller of a model goes through."""

import json
import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from drafter.cli import main
from drafter.errors import DrafterError
from drafter.llm import chat
from tests.conftest import ROOT, SEEDS
from tests.test_draft import SPENDING, _facts_of

# every command a user can run, with arguments enough to reach its code
COMMANDS = {
    ("review",): ["x.md"],
    ("index",): ["x.md"],
    ("draft",): ["facts.yaml"],
    ("facts", "import"): ["table.xlsx"],
    ("facts", "extract"): ["report.md"],
    ("facts", "schema"): [],
    ("serve",): [],
    ("eval", "run"): ["suite.yaml"],
    ("eval", "compare"): ["a", "b"],
    ("rules",): [],
}
MESSAGE = "报告[1].md: 出了问题"  # brackets: the line is plain text, never markup


def invoke(*args: str, **extra) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), prog_name="drafter", **extra)


def command_at(path: tuple[str, ...]) -> click.Command:
    command = main
    for name in path:
        command = command.commands[name]
    return command


def leaf_commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= leaf_commands(command, (*prefix, name))
        else:
            found.add((*prefix, name))
    return found


def test_the_table_names_every_command():
    assert leaf_commands() == set(COMMANDS)


def _raising(*args, **kwargs):
    raise DrafterError(MESSAGE)


# --- one error boundary --------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_a_drafter_error_in_any_command_is_one_line_and_exit_2(path, monkeypatch):
    monkeypatch.setattr(command_at(path), "callback", _raising)
    result = invoke(*path, *COMMANDS[path])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"drafter: {MESSAGE}\n")


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_debug_re_raises_the_error(path, monkeypatch):
    monkeypatch.setattr(command_at(path), "callback", _raising)
    result = invoke("--debug", *path, *COMMANDS[path])
    assert type(result.exception) is DrafterError and str(result.exception) == MESSAGE
    assert result.stderr == ""


def test_the_boundary_through_the_installed_command(tmp_path):
    args = [sys.executable, "-m", "drafter.cli", "draft", str(ROOT / "examples" / "facts-jstg.yaml"), "-o", "out.txt"]
    plain = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    message = "out.txt: the output must end in .md or .docx"
    assert (plain.returncode, plain.stdout, plain.stderr) == (2, "", f"drafter: {message}\n")
    debug = subprocess.run([*args[:3], "--debug", *args[3:]], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and debug.stderr.rstrip().endswith(f"drafter.errors.DrafterError: {message}")


@pytest.mark.parametrize("args, message", [
    (["eval", "compare", "run-a", "run-b", "--out", "{tmp}"],
     "run-a: 没有 results.json（请给出运行文件夹、它在 {tmp} 下的编号，或这个文件）"),
    (["review", "--accept", "nope.yml", str(SEEDS["gl"])], "nope.yml: 找不到接受清单"),
    (["index", "--index", "{tmp}/ix", "--embedding", "bogus", "x.md"],
     "未知的嵌入方式 bogus（可选 hash、hash:DIM、openai:MODEL[@URL] 或 st:PATH）"),
    (["facts", "import", "{tmp}/nope.xlsx"], "{tmp}/nope.xlsx: 找不到这个文件"),
], ids=["eval compare", "review", "index", "facts import"])
def test_library_errors_reach_the_user_as_one_line(args, message, tmp_path):
    result = invoke(*(a.format(tmp=tmp_path) for a in args))
    assert (result.exit_code, result.stderr) == (2, f"drafter: {message.format(tmp=tmp_path)}\n")


@pytest.fixture
def no_config(tmp_path, monkeypatch):
    """No drafter.yml and no DRAFTER_* setting reaches the test."""
    for name in ("DRAFTER_CONFIG", "DRAFTER_MODEL", "DRAFTER_BASE_URL", "DRAFTER_API_KEY_ENV", "DRAFTER_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


def test_serve_without_a_model_is_one_line(no_config):
    result = invoke("serve", "--backend", "openai", "--no-index")
    message = "没有配置模型：请用 --model NAME，或设置 DRAFTER_MODEL（本地服务另设 DRAFTER_BASE_URL）"
    assert (result.exit_code, result.stderr) == (2, f"drafter: {message}\n")


# --- options declared once -----------------------------------------------------------------
def help_of(*path: str) -> dict[str, str]:
    """Each option of a command's ``--help`` (its long name) and its help text."""
    result = invoke(*path, "--help", terminal_width=400, max_content_width=400)
    assert result.exit_code == 0, result.output
    options = {}
    for line in result.stdout.splitlines():
        if line.startswith("  -"):
            names, *text = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            options[re.findall(r"--[\w-]+", names)[0]] = "".join(text)
    return options


MODEL = {"--model", "--base-url", "--endpoint"}
INDEX = {"--index", "--chroma-url", "--no-index"}
SHARED = {
    ("review",): MODEL | INDEX | {"--prompts", "--max-mb", "--disable", "--output"},
    ("draft",): MODEL | {"--prompts", "--output"},
    ("serve",): MODEL | INDEX | {"--max-mb"},
    ("eval", "run"): {"--model", "--base-url", "--prompts", "--disable"},  # endpoints: --backend endpoint:NAME
}


@pytest.mark.parametrize("path", sorted(SHARED), ids=" ".join)
def test_the_shared_options_are_on_each_command(path):
    assert SHARED[path] <= set(help_of(*path))


def test_a_shared_option_has_one_wording():
    draft, serve, run, review = help_of("draft"), help_of("serve"), help_of("eval", "run"), help_of("review")
    assert draft["--model"] == serve["--model"] == run["--model"] == (
        "Model name for --backend openai (or DRAFTER_MODEL).")
    assert review["--model"] == "Model name for --llm (or DRAFTER_MODEL)."
    assert draft["--base-url"] == serve["--base-url"] == run["--base-url"] == (
        "OpenAI-compatible base URL for --backend openai (or DRAFTER_BASE_URL); the default key is never sent to it.")
    assert draft["--endpoint"] == serve["--endpoint"] == (
        "A named endpoint from the config file (drafter.yml: endpoints) for --backend openai.")
    assert review["--no-index"] == serve["--no-index"] == "Do not compare with the corpus index."
    assert review["--index"] == serve["--index"] == "Corpus index folder (default .drafter/index when it exists)."
    assert help_of("index")["--index"] == "Index folder (default .drafter/index)."
    assert review["--prompts"] == draft["--prompts"] == "Prompt folder (default prompts/v1)."


# --- drafter eval: a suite, or compare -----------------------------------------------------
def test_eval_help_lists_both_forms():
    result = invoke("eval", "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: drafter eval SUITE.yaml [OPTIONS] | compare RUN_A RUN_B\n")
    commands = result.stdout.split("Commands:\n", 1)[1]
    assert [line.split()[0] for line in commands.splitlines() if line.strip()] == ["compare", "run"]


@pytest.mark.parametrize("args, error", [
    (["run-a"], "Error: Missing argument 'RUN_B'."),
    ([], "Error: Missing argument 'RUN_A'."),
    (["run-a", "run-b", "run-c"], "Error: Got unexpected extra argument (run-c)"),
])
def test_eval_compare_with_the_wrong_number_of_runs_shows_its_usage(args, error):
    result = invoke("eval", "compare", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "Usage: drafter eval compare [OPTIONS] RUN_A RUN_B"
    assert result.stderr.splitlines()[-1] == error


@pytest.mark.parametrize("args", [["nope.yaml"], ["run", "nope.yaml"], ["--out", "elsewhere", "nope.yaml"],
                                  ["nope.yaml", "--jobs", "1"]])
def test_a_suite_file_runs_the_default_command(args, tmp_path):
    result = invoke("eval", *args, catch_exceptions=False)
    message = "nope.yaml: 无法读取评测套件（No such file or directory）"
    assert (result.exit_code, result.stderr) == (2, f"drafter: {message}\n")


# --- one chat-model builder ----------------------------------------------------------------
class Builds:
    """Stands in for ``drafter.llm.chat.build_chat``: records each model built, and the model
    writes exactly the facts it is given (a claim check gets no verdicts)."""

    def __init__(self):
        self.built = []

    def __call__(self, ep, cache_dir=None, *, purpose=""):
        self.built.append((ep.model, ep.base_url, None if cache_dir is None else str(cache_dir), purpose))
        return lambda system, user: _facts_of(user) if "本部分要写的事实" in user else '{"items": []}'


@pytest.fixture
def builds(monkeypatch, no_config):
    fake = Builds()
    monkeypatch.setattr(chat, "build_chat", fake)
    return fake


URL = "http://127.0.0.1:9/v1"  # nothing listens there: only the stand-in answers
SPENT = "2023 年本项目支出 22516 元，结余 4484 元，预算执行率为 83.39%"  # in a draft of facts-jstg.yaml


def test_draft_builds_its_model_with_the_builder(builds, tmp_path):
    result = invoke("draft", str(ROOT / "examples" / "facts-jstg.yaml"), "--backend", "openai", "--model", "scripted",
                    "--base-url", URL, "--section", SPENDING, "--cache", str(tmp_path / "cache"),
                    "--runs", str(tmp_path / "runs"), "-o", str(tmp_path / "out.md"))
    assert result.exit_code == 0, result.output
    assert builds.built == [("scripted", URL, str(tmp_path / "cache"), "")]
    assert SPENT in (tmp_path / "out.md").read_text(encoding="utf-8")


def test_review_llm_builds_the_claim_check_with_the_builder(builds):
    result = invoke("review", str(SEEDS["gl"]), "--llm", "--model", "scripted", "--base-url", URL, "--no-index",
                    "--format", "json")
    assert result.exit_code == 1, result.output
    assert builds.built == [("scripted", URL, None, "claims")]


def test_the_web_server_builds_its_models_with_the_builder(builds, tmp_path, monkeypatch):
    """The server builds the claim check once at start (to describe it); its worker process
    builds its own, and the drafting model for a draft (recorded by tests/web_hooks.py)."""
    from tests.test_web_api import make_client, upload
    from tests.web_hooks import RecordingBuilderBackend

    record = tmp_path / "worker-builds.jsonl"
    monkeypatch.setenv("DRAFTER_TEST_BUILDS", str(record))
    with make_client(tmp_path, backend="openai", model="scripted", base_url=URL, workers=1,
                     backend_class=RecordingBuilderBackend) as client:
        assert builds.built == [("scripted", URL, ".drafter/cache", "claims")]  # the claim check, at start
        r = client.post("/api/draft", files=upload(ROOT / "examples" / "facts-jstg.yaml"))
    assert r.status_code == 200, r.text
    assert builds.built == [("scripted", URL, ".drafter/cache", "claims")]
    in_worker = [tuple(json.loads(line)) for line in record.read_text(encoding="utf-8").splitlines()]
    assert in_worker == [("scripted", URL, ".drafter/cache", "claims"), ("scripted", URL, ".drafter/cache", "")]
    assert SPENT in r.json()["markdown"]


def test_the_evals_build_their_models_with_the_builder(builds, tmp_path):
    from drafter.evals.runner import default_call_factory
    from drafter.evals.suite import Variant

    make = default_call_factory(tmp_path / ".cache")
    call = make(Variant(name="v", backend="openai", model="scripted", base_url=URL))
    assert builds.built == [("scripted", URL, str(tmp_path / ".cache"), "")]
    assert json.loads(call("system", "user")) == {"items": []}

