"""Numbers and template slots of the synthetic report generator (tests/support/synth.py).

Integer arithmetic only, so the output is identical on every machine. The slot syntax of the
templates in phrases.yml and kinds.yml is listed at the top of phrases.yml.
"""

from __future__ import annotations

import random
import re

# --- numbers ---------------------------------------------------------------------------------


def hundredths(h: int) -> str:
    """A value given in hundredths, without trailing zeros: 9650 -> '96.5', 3200 -> '32'."""
    whole, frac = divmod(h, 100)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:02d}".rstrip("0")


def fmt_money(yuan: int, unit: str) -> str:
    """The amount as this module writes it: '27000 元', or '32 万元' / '2.76 万元' / '12.5 万元'
    (万元 amounts must be whole hundreds of 元, i.e. at most 2 decimals)."""
    if unit == "元":
        return f"{yuan} 元"
    if unit != "万元" or yuan % 100:
        raise ValueError(f"cannot write {yuan} 元 in {unit!r}")
    return f"{hundredths(yuan // 100)} 万元"


def fmt_points(h: int) -> str:
    """Score points from hundredths: 9650 -> '96.5'."""
    return hundredths(h)


def _pct_hundredths(num: int, den: int) -> int:
    """num/den as a percentage in hundredths of a percent, rounded half-up."""
    return (num * 20000 + den) // (2 * den)


def pct(num: int, den: int) -> str:
    """num/den as a percentage with exactly 2 decimals, rounded half-up: pct(22516, 27000) == '83.39'."""
    h = _pct_hundredths(num, den)
    return f"{h // 100}.{h % 100:02d}"


def is_half(num: int, den: int) -> bool:
    """True when num/den*100 lies exactly halfway between two 2-decimal values."""
    return (num * 20000) % den == 0 and ((num * 20000) // den) % 2 == 1


_CN_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1..99 in Chinese numerals."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "十" if tens == 1 else _CN_DIGITS[tens] + "十"
    return head + (_CN_DIGITS[ones] if ones else "")


# --- template slots --------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)(?::([^{}]*))?\}")


def _bounds(spec: str, scale: int = 1) -> tuple[int, int]:
    lo, hi = spec.split("-")
    return _scaled(lo, scale), _scaled(hi, scale)


def _scaled(num: str, scale: int) -> int:
    whole, _, frac = num.partition(".")
    digits = len(str(scale)) - 1
    return int(whole) * scale + (int(frac.ljust(digits, "0")[:digits]) if frac and digits else 0)


def count(rng: random.Random, lo: int, hi: int) -> int:
    """An integer in [lo, hi]; large ones are often rounded the way reports round them."""
    v = rng.randint(lo, hi)
    if v >= 1000 and rng.random() < 0.5:
        step = 10 ** (len(str(v)) - 2)
        r = v // step * step
        if r >= lo:
            v = r
    return v


def split_total(rng: random.Random, total: int, k: int, quantum: int = 1) -> list[int]:
    """``total`` split into ``k`` positive parts (multiples of ``quantum``), largest first."""
    units = total // quantum
    if units < k:
        raise ValueError(f"cannot split {total} into {k} parts of {quantum}")
    weights = [rng.randint(20, 100) for _ in range(k)]
    wsum = sum(weights)
    spare = units - k
    parts = [1 + spare * w // wsum for w in weights]
    parts[weights.index(max(weights))] += units - sum(parts)
    parts.sort(reverse=True)
    return [p * quantum for p in parts]


def _goal(rng: random.Random, spec: str) -> str:
    rng_spec, unit = spec.split(":")
    lo, hi = _bounds(rng_spec)
    target = rng.randint(lo, hi)
    if target >= 100:
        target = max(lo, target // 10 * 10)
    actual = target + target * rng.randint(0, 15) // 100
    if is_half(actual, target):
        actual += 1
    return f"{actual} {unit}，为年度目标 {target} {unit}的 {pct(actual, target)}%"


def _frac(rng: random.Random, spec: str) -> str:
    rng_spec, unit, min_pct, part, rate = spec.split(":")
    lo, hi = _bounds(rng_spec)
    total = count(rng, lo, hi)
    bp = rng.randint(int(min_pct) * 100, 9990)
    good = max(1, total * bp // 10000)
    if is_half(good, total):
        good -= 1
    return f"{total} {unit}，{part} {good} {unit}，{rate} {pct(good, total)}%"


def render_template(rng: random.Random, template: str, ctx: dict) -> str:
    def slot(m: re.Match) -> str:
        name, spec = m.group(1), m.group(2)
        if spec is None:
            return str(ctx[name])
        if name == "i":
            return str(count(rng, *_bounds(spec)))
        if name == "p":
            lo, hi = _bounds(spec, 100)
            v = rng.randint(lo, hi)
            return f"{v // 100}.{v % 100:02d}"
        if name == "p1":
            lo, hi = _bounds(spec, 10)
            v = rng.randint(lo, hi)
            return f"{v // 10}.{v % 10}"
        if name == "w":
            return hundredths(rng.randint(*_bounds(spec, 100)))
        if name == "c":
            return rng.choice(spec.split("|"))
        if name == "split":
            rng_spec, unit, labels = spec.split(":")
            names = labels.split("|")
            total = count(rng, *_bounds(rng_spec))
            parts = split_total(rng, total, len(names))
            inner = "、".join(f"{n} {p} {unit}" for n, p in zip(names, parts))
            return f"{total} {unit}（{inner}）"
        if name == "goal":
            return _goal(rng, spec)
        if name == "frac":
            return _frac(rng, spec)
        raise KeyError(f"unknown slot {name!r} in {template!r}")

    return _SLOT.sub(slot, template)
