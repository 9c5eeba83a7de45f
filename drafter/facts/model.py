"""The facts a report is drafted from: a strict model, loaded from YAML or JSON.

A facts file holds what only the user knows (the budget, the indicators' targets and actual
values, what was done, what went wrong); every derived figure (结余, 执行率, scores, grade) is
computed from it in code by ``drafter.facts.derive``. Amounts keep the file's unit (元 or 万元);
``Facts.yuan(x)`` converts one to 元. Numbers are held as ``Decimal`` so that 2.76 万元 is
exactly 27600 元.

Bad input raises ``InputError(path, problem)`` with a one-line problem naming the field and,
for YAML (and JSON that YAML can read), the line of that field::

    facts.yaml: budget.spent (line 9): must be a number, got "五万"
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)

from drafter.errors import InputError
from drafter.facts.problems import (
    FactsProblem,
    describe_validation_error,
    describe_validation_errors,
    describe_value,
    format_path,
    key_lines,
    yaml_problem,
)
from drafter.safeload import load_json, load_yaml

__all__ = [
    "AMOUNT_UNITS",
    "Budget",
    "Facts",
    "FactsProblem",
    "FundSource",
    "Indicator",
    "Project",
    "Target",
    "Unit",
    "Use",
    "describe_validation_error",
    "fmt_decimal",
    "format_path",
    "load_facts",
    "parse_actual",
    "parse_facts",
    "parse_target",
    "to_decimal",
]

AMOUNT_UNITS: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10000)}
_FOLD = str.maketrans("０１２３４５６７８９％．，＜＞＝", "0123456789%.,<>=")


# --- values -----------------------------------------------------------------------------------
def fmt_decimal(value: Decimal | int | float) -> str:
    """A number as a report writes it: no exponent, no trailing zeros (Decimal('27600.00') -> '27600')."""
    d = to_decimal(value)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def to_decimal(value: Decimal | int | float) -> Decimal:
    """An exact Decimal of a number (a float by its shortest repr: 2.76 -> Decimal('2.76'))."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    return Decimal(value)


PLACEHOLDER = "【待补充】"


def is_placeholder(value: Any) -> bool:
    """A value a facts file still leaves to the user: 【待补充】 or 【待补充：…】."""
    return isinstance(value, str) and value.strip().startswith("【待补充")


def _number(value: Any) -> Decimal:
    if is_placeholder(value):
        raise FactsProblem("仍是【待补充】：请填写数字")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise FactsProblem(f"须为数字，收到 {describe_value(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise FactsProblem(f"须为数字，收到 {value}")
    return to_decimal(value)


def _amount(value: Any) -> Decimal:
    d = _number(value)
    if d < 0:
        raise FactsProblem(f"不能为负数，收到 {fmt_decimal(d)}")
    return d


def _positive(value: Any) -> Decimal:
    d = _number(value)
    if d <= 0:
        raise FactsProblem(f"须大于 0，收到 {fmt_decimal(d)}")
    return d


def _points(value: Any) -> Decimal:
    d = _amount(value)
    if d > 100:
        raise FactsProblem(f"不能超过 100，收到 {fmt_decimal(d)}")
    return d


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise FactsProblem(f"须为文字，收到 {describe_value(value)}")
    text = value.strip()
    if not text:
        raise FactsProblem("不能为空")
    return text


def _opt_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return _text(value)


def _text_list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsProblem(f"须为列表（每项一行，以 '- ' 开头），收到 {describe_value(value)}")
    return value


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsProblem(f"须为列表，收到 {describe_value(value)}")
    return value


def _json_number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


_JSON_NUM = PlainSerializer(lambda d: _json_number(d) if isinstance(d, Decimal) else d, when_used="json")
Amount = Annotated[Decimal, BeforeValidator(_amount), _JSON_NUM]
Positive = Annotated[Decimal, BeforeValidator(_positive), _JSON_NUM]
Points = Annotated[Decimal, BeforeValidator(_points), _JSON_NUM]
Text = Annotated[str, BeforeValidator(_text)]
OptText = Annotated[str | None, BeforeValidator(_opt_text)]
TextList = Annotated[list[Text], BeforeValidator(_text_list)]


# --- targets and actual values -----------------------------------------------------------------
_GE = ("大于等于", "不低于", "不少于", "不小于", ">=", "≥", "≧", ">", "=")
_LE = ("小于等于", "不高于", "不超过", "不大于", "不多于", "<=", "≤", "≦", "<")
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?|\d*\.\d+"
_UNIT = r"%|‰|[A-Za-z\u4e00-\u9fff·/²³]{1,8}?"
_TARGET_RE = re.compile(
    rf"^(?P<op>{'|'.join(re.escape(o) for o in (*_GE, *_LE))})?\s*(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?$"
)
_BOUND = re.compile(r"(以上|以下|以内|之内|内)$")
_ACTUAL_RE = re.compile(rf"^(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?$")


def parse_target(text: str) -> tuple[str, Decimal, str] | None:
    """(direction '≥'|'≤', value, unit) of a quantitative target, or None.

    Accepts ">=800", "≥800", "<=5", "≤5天", "800" (≥), "100%", ">=95%", "不低于95%",
    "5个工作日内" and "90%以上"; a bare number is a lower bound (≥). Strict ">"/"<" read as
    ≥/≤ (they score alike). Deadlines ("12月底前") are not quantitative targets."""
    t = re.sub(r"\s+", "", str(text).translate(_FOLD))
    b = _BOUND.search(t)
    bound = b.group(1) if b else None
    if b:
        t = t[: b.start()]
    m = _TARGET_RE.match(t)
    if not m:
        return None
    op, unit = m.group("op"), m.group("unit") or ""
    if re.search(r"[前底]", unit) or _BOUND.search(unit):
        return None
    if bound in ("以内", "之内", "内") and not unit:
        return None
    direction = "≤" if op in _LE else "≥"
    if bound:
        bound_dir = "≥" if bound == "以上" else "≤"
        if op and bound_dir != direction:
            return None
        direction = bound_dir
    value = Decimal(m.group("num").replace(",", ""))
    return direction, value, unit


def parse_actual(value: Any) -> tuple[Decimal, str] | None:
    """(value, unit) of an actual value such as 861, "861个", "98%", "3.5天"; None if not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return to_decimal(value), ""
    if not isinstance(value, str):
        return None
    m = _ACTUAL_RE.match(re.sub(r"\s+", "", value.translate(_FOLD)))
    if not m:
        return None
    return Decimal(m.group("num").replace(",", "")), m.group("unit") or ""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    """An indicator's 年度指标值: the text as written, and for a quantitative target its
    direction (≥ 正向, ≤ 反向), value and unit."""

    text: str
    direction: Literal["≥", "≤"] | None = None
    value: Annotated[Decimal | None, _JSON_NUM] = None
    unit: str = ""

    @property
    def quantitative(self) -> bool:
        return self.direction is not None

    @classmethod
    def of(cls, raw: Any) -> "Target":
        if isinstance(raw, Target):
            return raw
        if isinstance(raw, dict) and isinstance(raw.get("text"), str):
            raw = raw["text"]
        if isinstance(raw, bool) or raw is None:
            raise FactsProblem(f'须为目标值，例如 ">=800"、"≤5天" 或 "100%"，收到 {describe_value(raw)}')
        if isinstance(raw, (int, float, Decimal)):
            text = fmt_decimal(_amount(raw))
        elif isinstance(raw, str):
            text = raw.strip()
            if not text:
                raise FactsProblem("不能为空")
        else:
            raise FactsProblem(f'须为目标值，例如 ">=800"、"≤5天" 或 "100%"，收到 {describe_value(raw)}')
        parsed = parse_target(text)
        if parsed is None:
            return cls(text=text)
        direction, value, unit = parsed
        return cls(text=text, direction=direction, value=value, unit=unit.replace("％", "%"))


def _actual(value: Any) -> Decimal | str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return value.strip()
    return _amount(value)


class Indicator(_Strict):
    """One row of the 绩效指标 table."""

    level1: Text  # 一级指标: 产出指标 / 效益指标 / 满意度指标 / 预算执行率
    level2: OptText = None  # 二级指标: 数量指标, 质量指标…
    name: Text  # 三级指标
    target: Annotated[Target, BeforeValidator(Target.of)]  # 年度指标值
    actual: Annotated[Decimal | str | None, BeforeValidator(_actual), _JSON_NUM] = None  # 实际完成值
    unit: OptText = None  # 计量单位 (taken from the target or actual when not given)
    weight: Positive  # 分值
    # 得分 as stated
    score: Annotated[Decimal | None, BeforeValidator(lambda v: None if v is None else _amount(v)), _JSON_NUM] = None
    reason: OptText = None  # 偏差原因分析及改进措施
    qualitative: bool = False  # 定性指标: target and actual are text, scored by bands

    @field_validator("qualitative", mode="before")
    @classmethod
    def _bool(cls, v: Any) -> bool:
        if v is None:
            return False
        if not isinstance(v, bool):
            raise FactsProblem(f"须为 true 或 false，收到 {describe_value(v)}")
        return v

    @model_validator(mode="after")
    def _check(self) -> "Indicator":
        if self.score is not None and self.score > self.weight:
            raise FactsProblem(
                f"{fmt_decimal(self.score)} 超过了分值 {fmt_decimal(self.weight)}"
                "（得分不能超过分值）", "score"
            )
        if self.qualitative:
            return self
        if not self.target.quantitative:
            raise FactsProblem(
                f'无法把 {describe_value(self.target.text)} 读作目标值：请写成 ">=800"、"≤5天" 或 "100%"，'
                "或把这个指标标为 qualitative: true",
                "target",
            )
        units = [("target", self.target.unit)]
        if self.actual is not None:
            parsed = parse_actual(self.actual)
            if parsed is None:
                raise FactsProblem("须为数字（后面可带单位，如 861个 或 98%），"
                                   f"收到 {describe_value(self.actual)}", "actual")
            self.actual, actual_unit = parsed
            units.append(("actual", actual_unit.replace("％", "%")))
        declared = self.unit
        for where, u in units:
            if not u:
                continue
            if declared is None:
                declared = u
            elif u != declared:
                other = "指标的单位" if self.unit is not None else "目标值的单位"
                raise FactsProblem(f'单位 "{u}" 与{other} "{declared}" 不一致', where)
        self.unit = declared
        return self

    @property
    def target_text(self) -> str:
        return self.target.text

    @property
    def is_execution(self) -> bool:
        """The 预算执行率 row."""
        return any("执行率" in (x or "") for x in (self.level1, self.level2, self.name))

    @property
    def actual_value(self) -> Decimal | None:
        return self.actual if isinstance(self.actual, Decimal) else None


class Unit(_Strict):
    name: Text  # 项目单位 / 实施单位
    department: OptText = None  # 主管部门
    profile: OptText = None  # 项目单位基本情况 (duties, internal structure)


class Project(_Strict):
    name: Text
    description: OptText = None  # 项目基本情况: what the project covers
    goal: OptText = None  # 绩效目标 / 年度总体目标（预期目标）


def _unit(value: Any) -> str:
    if value not in AMOUNT_UNITS:
        raise FactsProblem(f"须为 元 或 万元，收到 {describe_value(value)}")
    return value


class FundSource(_Strict):
    """A row under 年度资金总额: 当年财政拨款, 上年结转资金, 其他资金."""

    name: Text
    initial: Amount | None = None
    adjusted: Amount | None = None
    spent: Amount | None = None


class Use(_Strict):
    """One purpose the money went to (资金分用途使用绩效): its name, budget and spending in the
    facts' unit, and what it bought or did."""

    name: Text  # 用途: 设备维修, 水质检测…
    budget: Amount | None = None  # 预算 (in budget.unit)
    spent: Amount | None = None  # 支出 (in budget.unit)
    output: OptText = None  # 主要产出: what the money bought or did


class Budget(_Strict):
    unit: Annotated[str, BeforeValidator(_unit)]  # 元 or 万元: every amount of the facts uses it
    initial: Amount  # 年初预算
    adjusted: Amount | None = None  # 调整后预算 (全年预算数); None: not adjusted
    spent: Amount  # 全年支出 (全年执行数)
    execution_weight: Positive | None = None  # 预算执行率 分值 in the funds block (default 10)
    adjustment_reason: OptText = None
    underspend_reason: OptText = None  # why execution is below 90%
    spent_over_reason: OptText = None  # why spending exceeds the adjusted budget
    sources: Annotated[list[FundSource], BeforeValidator(_list)] = []

    @property
    def adjusted_value(self) -> Decimal:
        """The budget execution is measured against: 调整后预算, else 年初预算."""
        return self.initial if self.adjusted is None else self.adjusted

    def yuan(self, amount: Decimal | int | float | None) -> Decimal | None:
        """An amount in this budget's unit, in 元."""
        if amount is None:
            return None
        d = to_decimal(amount) * AMOUNT_UNITS[self.unit]
        return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()

    @model_validator(mode="after")
    def _check(self) -> "Budget":
        if self.adjusted_value <= 0:
            field = "initial" if self.adjusted is None else "adjusted"
            raise FactsProblem("须大于 0（预算执行率 = 执行数 / 调整后预算数）", field)
        if self.spent > self.adjusted_value and not self.spent_over_reason:
            what = "调整后预算数" if self.adjusted is not None else "预算数"
            raise FactsProblem(
                f"{fmt_decimal(self.spent)} 超过了{what} {fmt_decimal(self.adjusted_value)}："
                "请更正，或在 budget.spent_over_reason 中说明原因",
                "spent",
            )
        return self


def _year(value: Any) -> int:
    if is_placeholder(value):
        raise FactsProblem("仍是【待补充】：请填写年度，例如 2023")
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        raise FactsProblem(f"须为年份，例如 2023，收到 {describe_value(value)}")
    return value


def _template(value: Any) -> str:
    from drafter.analysis.templates import load_templates

    known = load_templates()
    if not isinstance(value, str) or value not in known:
        raise FactsProblem(f"未知的模板 {describe_value(value)}（可用：{'、'.join(sorted(known))}）")
    return value


class Facts(_Strict):
    template: Annotated[str, BeforeValidator(_template)]  # a drafter.analysis.templates id
    year: Annotated[int, BeforeValidator(_year)]
    unit: Unit
    project: Project
    budget: Budget
    indicators: Annotated[list[Indicator], BeforeValidator(_list)] = []
    self_score: Points | None = None
    uses: Annotated[list[Use], BeforeValidator(_list)] = []  # 资金分用途使用情况
    achievements: TextList = []
    problems: TextList = []
    improvements: TextList = []
    evidence: TextList = []  # 佐证材料: the documents that support the figures

    @model_validator(mode="after")
    def _check(self) -> "Facts":
        rows = [i for i, ind in enumerate(self.indicators) if ind.is_execution]
        if len(rows) > 1:
            raise FactsProblem(f"预算执行率行不止一行（indicators {'、'.join(f'[{i}]' for i in rows)}）",
                               "indicators")
        return self

    def yuan(self, amount: Decimal | int | float | None) -> Decimal | None:
        """An amount in the facts' unit (``budget.unit``), in 元: ``facts.yuan(2.76)`` is 27600
        when the unit is 万元."""
        return self.budget.yuan(amount)

    @property
    def amount_unit(self) -> str:
        return self.budget.unit


# --- the schema for editors ---------------------------------------------------------------------
def facts_json_schema() -> dict:
    """The JSON Schema of a facts file as a user writes it (``drafter facts schema``): amounts
    are numbers, a target is text such as ">=800" or a number, an actual value a number or
    text ("861个", "98%"); unknown keys are refused."""
    schema = Facts.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "drafter facts file"

    def fix(node):
        if isinstance(node, dict):
            for key, value in list(node.items()):
                if key == "properties" and isinstance(value, dict):
                    for name, prop in value.items():
                        if name == "target":
                            value[name] = {"anyOf": [{"type": "string"}, {"type": "number"}],
                                           "description": '年度指标值: ">=800", "≤5天", "100%", or a number'}
                        elif name == "actual":
                            value[name] = {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
                                           "description": '实际完成值: 861, "861个", "98%", or text (qualitative)'}
                        else:
                            _numbers_only(prop)
                fix(value)
        elif isinstance(node, list):
            for x in node:
                fix(x)

    fix(schema)
    defs = schema.get("$defs", {})
    defs.pop("Target", None)
    defs["Budget"]["properties"]["unit"] = {"enum": list(AMOUNT_UNITS), "description": "every amount's unit"}
    from drafter.analysis.templates import load_templates

    schema["properties"]["template"] = {"enum": sorted(load_templates())}
    schema["properties"]["year"] = {"type": "integer", "minimum": 1990, "maximum": 2100}
    return schema


def _numbers_only(prop: dict) -> None:
    """A Decimal field reads as number-or-string in pydantic's schema: a facts file gives a number."""
    options = prop.get("anyOf")
    if options and any(x.get("type") == "number" for x in options):
        kept = [x for x in options if x.get("type") != "string"]
        if len(kept) == 1:
            prop.pop("anyOf")
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept


# --- loading ----------------------------------------------------------------------------------


def load_facts(path: str | Path) -> Facts:
    """Facts from a .yaml/.yml or .json file; ``InputError`` with a one-line problem otherwise."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), "找不到这个文件")
    if p.is_dir():
        raise InputError(str(path), "这是文件夹，不是事实文件")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"无法读取这个文件（{exc.strerror or exc.__class__.__name__}）") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(str(path), "不是 UTF-8 编码的文本：请另存为 UTF-8") from None
    fmt = "json" if p.suffix.lower() == ".json" else "yaml"
    return parse_facts(text, str(path), fmt)


def parse_facts(text: str, path: str = "<facts>", fmt: Literal["yaml", "json"] = "yaml") -> Facts:
    """Facts from YAML or JSON text; errors name ``path``."""
    if not text.strip():
        raise InputError(path, "文件是空的")
    if fmt == "json":
        try:
            data = load_json(text, path)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}") from None
    else:
        try:
            data = load_yaml(text, path)
        except yaml.YAMLError as exc:
            raise InputError(path, yaml_problem(exc)) from None
        if data is None:
            raise InputError(path, "文件是空的")
    lines, duplicate = key_lines(text)
    if duplicate is not None:
        key, line, first = duplicate
        raise InputError(path, f"{format_path(key)}（第 {line} 行）：重复给出（第一次在第 {first} 行）")
    if not isinstance(data, dict):
        raise InputError(path, "须为字段映射（template、year、unit、project、budget……），"
                               f"收到 {describe_value(data)}")
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        # every problem at once, one line each, each naming the file
        raise InputError(path, f"\n{path}: ".join(describe_validation_errors(exc, lines))) from None
