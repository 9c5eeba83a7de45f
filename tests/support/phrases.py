"""The phrase data of the synthetic report generator, read once at import from ``phrases.yml``
(shared pools) and ``kinds.yml`` (unit kinds and their projects), next to this module.

YAML lists become tuples (the data is never changed after loading), mappings keep their file
order: the generator draws from every pool by position, so the order in the files is part of what
a seed produces. A kind's ``intro`` that starts with ``{bureau_intro}`` starts with the shared
bureau opening. A missing or unknown key is an error naming the file and the place.
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PHRASES_FILE = HERE / "phrases.yml"
KINDS_FILE = HERE / "kinds.yml"

_PHRASE_KEYS = {
    "names", "common_achievements", "elaborations", "generic_acts", "act_prefixes", "themes_own",
    "themes_common", "backgrounds", "closings", "achievement_leads", "common_issues", "adjustment_issue",
    "low_execution_issue", "vague_issue", "low_execution_reasons", "adjust_down_reasons", "adjust_up_reasons",
    "deduction_reasons", "balance_notes", "thrift", "pay_on_time", "budget_arranged", "template_residue",
    "satisfaction_goal", "goal_indicators", "uses_sentence", "source_labels", "bureau_intro", "last_duty",
    "county_wide_markers",
}
_NAME_KEYS = {"county_first", "county_second", "town_first", "town_second", "surnames", "given", "area_codes"}
_KIND_KEYS = {"names", "intro", "offices", "duties", "projects", "ach", "issues", "effect", "domain", "acts"}
_KIND_OPTIONAL = {"level", "county_wide", "head_office", "last_duty"}
_PROJECT_KEYS = {"name", "scale", "desc", "goal", "use", "uses", "ach"}
_BUREAU = "{bureau_intro}"


def _frozen(value):
    """Lists become tuples, recursively; mappings keep their order."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping at the top")
    return _frozen(data)


def _check_keys(where: str, found, required: set[str], optional: frozenset[str] | set[str] = frozenset()) -> None:
    missing, unknown = required - set(found), set(found) - required - optional
    if missing or unknown:
        raise ValueError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")


def _kinds(data: dict, bureau_intro: str) -> dict[str, dict]:
    kinds = {}
    for key, kind in data.items():
        _check_keys(f"{KINDS_FILE.name}: kind {key!r}", kind, _KIND_KEYS, _KIND_OPTIONAL)
        for i, project in enumerate(kind["projects"]):
            _check_keys(f"{KINDS_FILE.name}: kind {key!r}, project {i}", project, _PROJECT_KEYS)
        intro = kind["intro"]
        if intro.startswith(_BUREAU):
            intro = bureau_intro + intro.removeprefix(_BUREAU)
        kinds[key] = {**kind, "intro": intro}
    return kinds


_P = _load(PHRASES_FILE)
_check_keys(PHRASES_FILE.name, _P, _PHRASE_KEYS)
_check_keys(f"{PHRASES_FILE.name}: names", _P["names"], _NAME_KEYS)

# Names: one character of each string is one choice.
COUNTY_A = tuple(_P["names"]["county_first"])
COUNTY_B = tuple(_P["names"]["county_second"])
TOWN_A = tuple(_P["names"]["town_first"])
TOWN_B = tuple(_P["names"]["town_second"])
SURNAMES = tuple(_P["names"]["surnames"])
GIVEN = tuple(_P["names"]["given"])
AREA_CODES: tuple[str, ...] = _P["names"]["area_codes"]

COMMON_ACHIEVEMENTS: tuple[tuple, ...] = _P["common_achievements"]
ELABORATIONS: tuple[str, ...] = _P["elaborations"]
GENERIC_ACTS: tuple[tuple, ...] = _P["generic_acts"]
ACT_PREFIXES: tuple[str, ...] = _P["act_prefixes"]
THEMES_OWN: tuple[str, ...] = _P["themes_own"]
THEMES_COMMON: tuple[str, ...] = _P["themes_common"]
BACKGROUNDS: tuple[str, ...] = _P["backgrounds"]
CLOSINGS: tuple[str, ...] = _P["closings"]
ACHIEVEMENT_LEADS: tuple[str, ...] = _P["achievement_leads"]
COMMON_ISSUES: tuple[tuple[str, str], ...] = _P["common_issues"]
ADJUSTMENT_ISSUE: tuple[str, str] = _P["adjustment_issue"]
LOW_EXECUTION_ISSUE: tuple[str, str] = _P["low_execution_issue"]
VAGUE_ISSUE: str = _P["vague_issue"]
LOW_EXECUTION_REASONS: tuple[str, ...] = _P["low_execution_reasons"]
ADJUST_DOWN_REASONS: tuple[str, ...] = _P["adjust_down_reasons"]
ADJUST_UP_REASONS: tuple[str, ...] = _P["adjust_up_reasons"]
DEDUCTION_REASONS: tuple[str, ...] = _P["deduction_reasons"]
BALANCE_NOTES: tuple[str, ...] = _P["balance_notes"]
THRIFT: tuple[str, ...] = _P["thrift"]
PAY_ON_TIME: str = _P["pay_on_time"]
BUDGET_ARRANGED: str = _P["budget_arranged"]
TEMPLATE_RESIDUE: tuple[str, str] = _P["template_residue"]
SATISFACTION_GOAL: str = _P["satisfaction_goal"]
GOAL_INDICATORS: str = _P["goal_indicators"]
USES_SENTENCE: str = _P["uses_sentence"]
SOURCE_LABELS: tuple[tuple[str, ...], ...] = _P["source_labels"]
BUREAU_INTRO: str = _P["bureau_intro"]
LAST_DUTY: str = _P["last_duty"]
COUNTY_WIDE_MARKERS: tuple[str, ...] = _P["county_wide_markers"]

KINDS: dict[str, dict] = _kinds(_load(KINDS_FILE), BUREAU_INTRO)
KIND_KEYS: tuple[str, ...] = tuple(KINDS)
