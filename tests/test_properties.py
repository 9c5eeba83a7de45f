"""Property tests: the figure parser and the reviewer never crash on arbitrary text, and every
offset slices back to the quoted text."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter.documents.load import from_text
from drafter.review.engine import review
from drafter.text.figures import extract

# Text built from the characters reports are made of, so the parser's paths are exercised.
ALPHABET = st.sampled_from(
    list("0123456789.,，。；：、（）()%％元万亿个项次台家人分年月日预算支出结余执行率自评调整后"
         "全部用于预计大量明显问题改进一二三四五六七八九十百千两零 \n#*|-")
)
REPORTISH = st.text(alphabet=ALPHABET, max_size=400)
ANY = st.text(max_size=300)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(REPORTISH, ANY))
def test_figure_parser_never_crashes_and_spans_slice_back(text):
    for f in extract(text):
        assert text[f.start : f.end] == f.text
        assert f.start < f.end
        assert f.kind in {"amount", "percent", "count", "score"}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(REPORTISH)
def test_review_offsets_always_slice_back_to_the_quote(body):
    report = from_text("## 二、自评情况\n\n" + body)
    result = review(report)
    for f in result.findings:
        assert report.text[f.start : f.end] == f.quote
        assert 0 <= f.start <= f.end <= len(report.text)


SEGMENTS = st.lists(
    st.sampled_from(
        [
            "年初预算为 30000 元，",
            "调整后预算为 27000 元。",
            "本项目支出 22516 元，结余 4484 元。",
            "指标调减后",
            "金额为 99000 元。",
            "**加粗**",
            "\n\n",
            "\n",
            "## （三）存在的问题\n",
            "主要是能力不足，仍需进一步提升。",
            "将拨款全部用于项目。",
            "自评 100 分。",
            "580 个（380 个、150 个、50 个）",
        ]
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(SEGMENTS)
def test_joined_paragraphs_still_point_at_the_original(parts):
    report = from_text("".join(parts))
    for f in review(report).findings:
        assert report.text[f.start : f.end] == f.quote
