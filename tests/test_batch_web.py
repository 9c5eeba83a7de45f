"""The batch page (issue 17): a .zip checked before it is unpacked (no archive path used on disk;
``../`` paths, too many files and oversized members refused with one clear line), several files
or a zip reviewed with a progress display, the 汇总 table with links, the workbook download;
and the page in headless Chromium, with a screenshot in docs/."""

import io
import time
import zipfile

import openpyxl
import pytest

from drafter.documents.archive import unpack_reports
from drafter.errors import InputError
from drafter.review.workbook import SUMMARY_COLUMNS
from tests.conftest import SEEDS
from tests.test_web_api import make_client
from tests.test_web_browser import ARTIFACTS, browser, page, server  # noqa: F401 (fixtures)

GL, JSTG, WW = (f"报告.zip/2023年/{SEEDS[k].name}" for k in ("gl", "jstg", "ww"))


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def seeds_zip() -> bytes:
    return make_zip({f"2023年/{p.name}": p.read_bytes() for p in SEEDS.values()} | {"说明.png": b"\x89PNG"})


# --- the archive, as a library ---------------------------------------------------------------


def test_members_are_unpacked_under_names_of_our_own(tmp_path):
    archive = tmp_path / "a.zip"
    archive.write_bytes(seeds_zip())
    out = tmp_path / "out"
    out.mkdir()
    got = unpack_reports(archive, out)
    assert [(u.name, u.path.name if u.path else None, u.problem) for u in got] == [
        ("2023年/gd-2023-zwfw-jstg.md", "0001.md", ""),
        ("2023年/gd-2023-zwxt-gl.md", "0002.md", ""),
        ("2023年/gd-2023-dzzw-ww.md", "0003.md", ""),
        ("说明.png", None, "不是报告文件（.png），未审核"),
    ]
    assert sorted(p.name for p in out.iterdir()) == ["0001.md", "0002.md", "0003.md"]
    assert (out / "0002.md").read_bytes() == SEEDS["gl"].read_bytes()


def test_gbk_names_of_windows_zip_tools_are_read(tmp_path):
    archive = tmp_path / "a.zip"
    archive.write_bytes(make_zip({"abcd.md": SEEDS["gl"].read_bytes()}))
    # a Chinese Windows tool writes the name in GBK, without the UTF-8 flag
    archive.write_bytes(archive.read_bytes().replace(b"abcd.md", "报告.md".encode("gbk")))
    (tmp_path / "out").mkdir()
    assert [u.name for u in unpack_reports(archive, tmp_path / "out")] == ["报告.md"]


@pytest.mark.parametrize("members,kw,problem", [
    ({"ok.md": b"x", "../../etc/evil.md": b"x"}, {}, "包内的路径“../../etc/evil.md”指向压缩包之外，整个压缩包不予处理"),
    ({"/abs/evil.md": b"x"}, {}, "包内的路径“/abs/evil.md”指向压缩包之外，整个压缩包不予处理"),
    ({"a/../../evil.md": b"x"}, {}, "包内的路径“a/../../evil.md”指向压缩包之外，整个压缩包不予处理"),
    ({f"{k}.md": b"x" for k in range(4)}, {"max_files": 3}, "压缩包里有 4 份报告，超过上限 3 份：请分批上传"),
    ({"big.md": b"x" * 3_000_000}, {"max_member": 2 * 1048576},
     "包内的“big.md”解压后 2.9 MB，超过单个文件的上限 2.0 MB，整个压缩包不予处理"),
    ({"a.md": b"x" * 1_500_000, "b.md": b"x" * 1_500_000}, {"max_unpacked": 2 * 1048576},
     "压缩包解压后共 2.9 MB，超过上限 2.0 MB：请分批上传"),
    ({"a.png": b"x"}, {}, "压缩包里没有报告文件（.docx、.pdf、.md、.txt）"),
])
def test_refused_archives(tmp_path, members, kw, problem):
    archive = tmp_path / "a.zip"
    archive.write_bytes(make_zip(members))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError) as exc:
        unpack_reports(archive, out, shown="上传.zip", **kw)
    assert str(exc.value) == f"上传.zip: {problem}"
    assert list(out.iterdir()) == []
    assert not (tmp_path / "etc").exists()


def test_a_member_larger_than_it_declares_is_caught(tmp_path):
    archive = tmp_path / "a.zip"
    archive.write_bytes(make_zip({"a.md": b"x" * 3_000_000}))
    data = bytearray(archive.read_bytes())
    # understate the size in both headers: 3,000,000 → 1,000
    data = data.replace((3_000_000).to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    archive.write_bytes(bytes(data))
    (tmp_path / "out").mkdir()
    with pytest.raises(InputError) as exc:
        unpack_reports(archive, tmp_path / "out", shown="a.zip", max_member=2 * 1048576)
    assert "a.zip: " in str(exc.value)


def test_not_a_zip(tmp_path):
    archive = tmp_path / "a.zip"
    archive.write_bytes(b"this is not a zip")
    (tmp_path / "out").mkdir()
    with pytest.raises(InputError, match="^a.zip: 不是有效的 zip 压缩包，或压缩包已损坏$"):
        unpack_reports(archive, tmp_path / "out", shown="a.zip")


# --- the page through the test client -----------------------------------------------------------


def wait_done(client, location: str) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = client.get(location + "/status.json").json()
        if status["state"] in ("done", "error"):
            return status
        time.sleep(0.2)
    raise AssertionError("the batch did not finish")


def test_a_zip_is_reviewed_with_its_summary_and_workbook(tmp_path):
    with make_client(tmp_path) as client:
        r = client.post("/batch", files=[("files", ("报告.zip", seeds_zip(), "application/zip")),
                                         ("files", ("坏.docx", b"PK\x03\x04 broken" * 20, "application/octet-stream"))],
                        follow_redirects=False)
        assert r.status_code == 303
        location = r.headers["location"]
        status = wait_done(client, location)
        assert status == {"state": "done", "done": 4, "total": 4, "failed": 2, "error": ""}
        html = client.get(location).text
        rows = html.split('<tbody>')[1].split('</tbody>')[0].count("<tr>")
        assert rows == 3
        assert html.index(GL) < html.index(JSTG) < html.index(WW)
        assert "58.37%" in html and "95.84" in html
        assert "坏.docx" in html and "报告.zip/说明.png" in html
        book = openpyxl.load_workbook(io.BytesIO(client.get(location + "/summary.xlsx").content))
        summary = list(book["汇总"].iter_rows(values_only=True))
        assert list(summary[0]) == SUMMARY_COLUMNS
        assert [r[0] for r in summary[1:]] == [GL, JSTG, WW]
        failed = list(book["未能审核"].iter_rows(values_only=True))
        assert [r[0] for r in failed[1:]] == ["坏.docx", "报告.zip/说明.png"]
        # each report's review, with its downloads
        link = location + "/1"
        page = client.get(link).text
        assert "报告.zip/2023年/gd-2023-zwxt-gl.md" in page and "score-exceeds-execution" in page
        rid = page.split('/review/')[1].split('/')[0]
        assert client.get(f"/review/{rid}/findings.json").json()["file"] == "报告.zip/2023年/gd-2023-zwxt-gl.md"
    assert list((tmp_path / "uploads").iterdir()) == []


@pytest.mark.parametrize("members,problem", [
    ({"../evil.md": b"x"}, "报告.zip: 包内的路径“../evil.md”指向压缩包之外，整个压缩包不予处理"),
    ({f"{k:03d}.md": b"x" for k in range(201)}, "报告.zip: 压缩包里有 201 份报告，超过上限 200 份：请分批上传"),
])
def test_a_refused_zip_gets_a_clear_page(tmp_path, members, problem):
    with make_client(tmp_path) as client:
        r = client.post("/batch", files=[("files", ("报告.zip", make_zip(members), "application/zip"))],
                        follow_redirects=False)
        assert r.status_code == 400
        assert f'id="error-message">{problem}</p>' in r.text
        assert client.post("/batch", files=[("files", ("报告.zip", make_zip(members), "application/zip"))],
                           headers={"accept": "application/json"}, follow_redirects=False).status_code == 400
    assert list((tmp_path / "uploads").iterdir()) == []
    assert not (tmp_path / "evil.md").exists()


def test_an_oversized_zip_member_is_refused(tmp_path):
    with make_client(tmp_path, max_bytes=1024 * 1024) as client:
        r = client.post("/batch", files=[("files", ("报告.zip", make_zip({"big.md": b"x" * 2_000_000}),
                                                    "application/zip"))], follow_redirects=False)
        assert r.status_code == 400
        assert "报告.zip: 包内的“big.md”解压后 1.9 MB，超过单个文件的上限 1.0 MB，整个压缩包不予处理" in r.text


def test_nothing_to_review(tmp_path):
    with make_client(tmp_path) as client:
        r = client.post("/batch", files=[("files", ("a.png", b"x", "image/png"))], follow_redirects=False)
        assert r.status_code == 400
        assert "没有可审核的报告" in r.text
        assert client.get("/batch/nope").status_code == 404


# --- the page in Chromium -------------------------------------------------------------------------


def test_batch_page_in_the_browser(page, server, tmp_path):  # noqa: F811
    base, _ = server
    archive = tmp_path / "报告.zip"
    archive.write_bytes(seeds_zip())
    page.goto(base + "/batch")
    page.set_input_files("#files", [str(archive), str(SEEDS["gl"])])
    with page.expect_navigation():
        page.click("#batch-submit")
    page.wait_for_selector("#summary-table", timeout=120_000)
    names = page.eval_on_selector_all("#summary-table a.report-link", "as => as.map(a => a.textContent)")
    assert len(names) == 4 and set(names[:2]) == {"gd-2023-zwxt-gl.md", "报告.zip/2023年/gd-2023-zwxt-gl.md"}
    assert page.inner_text("#failed").count("说明.png") == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "batch.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#download-xlsx")
    saved = tmp_path / "汇总.xlsx"
    download.value.save_as(saved)
    assert openpyxl.load_workbook(saved).sheetnames == ["汇总", "问题清单", "未能审核"]
    with page.expect_navigation():
        page.click("#summary-table a.report-link >> nth=0")
    assert page.inner_text("#report-name") in {"gd-2023-zwxt-gl.md", "报告.zip/2023年/gd-2023-zwxt-gl.md"}
    assert page.locator("li.finding").count() > 0
