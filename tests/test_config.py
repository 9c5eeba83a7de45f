import pytest

from drafter.config import load_config
from drafter.errors import DrafterError


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("DRAFTER_INDEX", "DRAFTER_CHROMA_URL", "DRAFTER_EMBEDDING", "DRAFTER_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_defaults(clean_env):
    c = load_config()
    assert (c.index, c.chroma_url, c.embedding) == (".drafter/index", None, "hash")


def test_flag_beats_environment_beats_file(clean_env, tmp_path):
    (tmp_path / "drafter.yml").write_text("index: from-file\nembedding: hash:256\n", encoding="utf-8")
    assert load_config().index == "from-file"
    clean_env.setenv("DRAFTER_INDEX", "from-env")
    assert load_config().index == "from-env"
    assert load_config(index="from-flag").index == "from-flag"
    assert load_config().embedding == "hash:256"


@pytest.mark.parametrize("content,problem", [("index: [unclosed\n", "配置文件不是有效的 YAML（ParserError）"),
                                             ("- a\n", "配置文件须是 YAML 映射（键: 值）"),
                                             ("colour: red\n", "colour：未知的字段")])
def test_a_bad_config_file_names_itself(clean_env, tmp_path, content, problem):
    (tmp_path / "drafter.yml").write_text(content, encoding="utf-8")
    with pytest.raises(DrafterError) as exc:
        load_config()
    assert str(exc.value).endswith(f"drafter.yml: {problem}")


def test_the_index_is_found_like_git_finds_its_repository(clean_env, tmp_path):
    user = tmp_path / "home" / ".config" / "drafter"
    user.mkdir(parents=True)
    (user / "drafter.yml").write_text("index: /from/user/config\n", encoding="utf-8")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    clean_env.chdir(sub)
    # nothing here or above: the user's config
    assert load_config().index == "/from/user/config"
    # a .drafter/index above beats the user's config, here too
    (tmp_path / ".drafter" / "index").mkdir(parents=True)
    assert load_config().index == str((tmp_path / ".drafter" / "index").resolve())
    (sub / ".drafter" / "index").mkdir(parents=True)
    assert load_config().index == ".drafter/index"
    # a project's drafter.yml, DRAFTER_INDEX and --index beat what is found
    (sub / "drafter.yml").write_text("index: from-project\n", encoding="utf-8")
    assert load_config().index == "from-project"
    clean_env.setenv("DRAFTER_INDEX", "from-env")
    assert load_config().index == "from-env"
    assert load_config(index="from-flag").index == "from-flag"
