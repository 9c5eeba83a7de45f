"""DNS rebinding and cross-site forms. A server bound to a loopback address answers only
requests addressed to a loopback host name (a page of another site whose name was made to
resolve to 127.0.0.1 gets 421); a POST that a page of another site sent (its Origin, or lacking
it its Referer, names another site) gets 403 and is not processed, whatever the binding.
Same-origin use of the page is the browser tests' (tests/test_web_browser.py)."""

import pytest
from fastapi.testclient import TestClient

from drafter.web import WebSettings, create_app
from tests.conftest import SEEDS
from tests.test_web_api import FACTS, TOKEN, public, upload

HOST = ("主机名“{host}”不被接受：这个服务器只在本机地址上监听，只接受 localhost、127.0.0.1 或 [::1] "
        "作为主机名（以防 DNS 重绑定攻击）。请用 {url} 打开。")
CROSS = "拒绝跨站请求：这个提交来自另一个网站（{origin}），不是本服务器自己的页面，没有处理。请在本服务器的页面上提交。"


def site_client(tmp_path, base_url: str = "http://127.0.0.1:8000", **settings) -> TestClient:
    uploads = tmp_path / "uploads"
    uploads.mkdir(exist_ok=True)
    settings.setdefault("no_index", True)
    return TestClient(create_app(WebSettings(tmp_root=str(uploads), **settings)), base_url=base_url)


@pytest.fixture(scope="module")
def loopback(tmp_path_factory):
    with site_client(tmp_path_factory.mktemp("loopback")) as c:
        yield c


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LocalHost:8000", "localhost",
                                  "127.0.0.1", "127.0.0.2:8000", "[::1]", "localhost:9000"])
def test_a_loopback_server_answers_loopback_host_names(loopback, host):
    assert loopback.get("/api/info", headers={"Host": host}).status_code == 200
    assert loopback.get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example:8000", "evil.example", "127.0.0.1.nip.io:8000",
                                  "localhost.evil.example", "rebind.test:8000", "[::2]:8000", "10.0.0.5:8000",
                                  "localhost:80x", "[::1", "<script>:8000"])
def test_a_loopback_server_refuses_other_host_names(loopback, host):
    """DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends
    ``Host: evil.example:8000`` with every request it makes to this server."""
    message = HOST.format(host=host, url="http://127.0.0.1:8000/")
    api = loopback.get("/api/info", headers={"Host": host})
    assert (api.status_code, api.json()) == (421, {"error": message})
    posted = loopback.post("/api/review", files=upload(SEEDS["gl"]), headers={"Host": host})
    assert (posted.status_code, posted.json()) == (421, {"error": message})
    page = loopback.get("/", headers={"Host": host})
    assert page.status_code == 421 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>主机名不被接受 <span class=\"code\">HTTP 421</span></h1>" in page.text
    assert "<script>:8000" not in page.text  # shown escaped


def test_the_host_is_checked_before_the_token_and_the_job(tmp_path):
    with site_client(tmp_path, token=TOKEN) as c:
        r = c.post("/api/review", files=upload(SEEDS["gl"]),
                   headers={"Host": "evil.example:8000", "Authorization": f"Bearer {TOKEN}"})
        assert (r.status_code, r.json()) == (421, {"error": HOST.format(host="evil.example:8000",
                                                                         url="http://127.0.0.1:8000/")})
        assert c.get("/api/info").status_code == 401
        assert c.app.state.pool.stats()["jobs"] == 0


@pytest.mark.parametrize("bound, url", [("localhost", "http://localhost:8000/"), ("::1", "http://[::1]:8000/"),
                                        ("127.0.0.1", "http://127.0.0.1:8000/")])
def test_the_message_names_the_address_to_use(tmp_path, bound, url):
    with site_client(tmp_path, host=bound) as c:
        r = c.get("/api/info", headers={"Host": "evil.example"})
    assert (r.status_code, r.json()) == (421, {"error": HOST.format(host="evil.example", url=url)})


def test_a_server_bound_to_every_address_takes_any_host_name(tmp_path):
    with site_client(tmp_path, base_url="http://drafter.example.org", host="0.0.0.0", token=TOKEN) as c:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert c.get("/api/info", headers=auth).status_code == 200
        assert c.get("/api/info", headers={**auth, "Host": "10.0.0.5:8000"}).status_code == 200
        # behind a proxy that ends TLS the page's origin is https://… and the request's Host the same name
        same = c.post("/api/review", files=upload(SEEDS["gl"]), headers={**auth, "Origin": "https://drafter.example.org"})
        assert same.status_code == 200
        other = c.post("/api/review", files=upload(SEEDS["gl"]), headers={**auth, "Origin": "https://evil.example"})
        assert (other.status_code, other.json()) == (403, {"error": CROSS.format(origin="https://evil.example")})


CROSS_SITE = [
    ({"Origin": "http://evil.example"}, "http://evil.example"),
    ({"Origin": "null"}, "null"),  # a sandboxed frame, or a page that sends no referrer
    ({"Referer": "http://evil.example/form.html"}, "http://evil.example/form.html"),
    ({"Origin": "http://127.0.0.1:9999"}, "http://127.0.0.1:9999"),  # another server on this machine
    ({"Origin": "http://localhost:8000"}, "http://localhost:8000"),  # another origin, though the same server
    ({"Origin": "http://evil.example", "Referer": "http://127.0.0.1:8000/"}, "http://evil.example"),
]


@pytest.mark.parametrize("headers, origin", CROSS_SITE)
def test_cross_site_posts_are_refused_and_not_processed(tmp_path, headers, origin):
    with site_client(tmp_path) as c:
        text = {"text": "# 报告\n\n自评 100 分。\n"}
        for path, form in (("/api/review", text), ("/api/review/docx", text), ("/api/draft", {}),
                           ("/api/draft/docx", {})):
            files = upload(FACTS) if "draft" in path else None
            r = c.post(path, data=form, files=files, headers=headers)
            assert (r.status_code, r.json()) == (403, {"error": CROSS.format(origin=origin)}), path
        for path in ("/review", "/draft"):
            page = c.post(path, data=text, headers=headers)
            assert page.status_code == 403 and "<h1>拒绝跨站请求 <span class=\"code\">HTTP 403</span></h1>" in page.text
        assert c.app.state.pool.stats()["jobs"] == 0
        # reading is not changing anything: a page of another site may link here
        assert c.get("/", headers=headers).status_code == 200


@pytest.mark.parametrize("headers", [{"Origin": "http://127.0.0.1:8000"}, {"Referer": "http://127.0.0.1:8000/"},
                                     {"Referer": "http://127.0.0.1:8000/draft?x=1"}, {}])
def test_same_origin_and_non_browser_posts_are_processed(tmp_path, headers):
    with site_client(tmp_path) as c:
        r = c.post("/api/review", files=upload(SEEDS["gl"]), headers=headers)
        assert r.status_code == 200 and r.json() == public(SEEDS["gl"])
        assert c.post("/review", files=upload(SEEDS["gl"]), headers=headers).status_code == 200


def test_pages_ask_browsers_to_send_their_origin(loopback):
    """With ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null`` with the page's
    own forms, which the cross-site check must refuse; ``same-origin`` sends the origin to this
    server only."""
    assert loopback.get("/").headers["referrer-policy"] == "same-origin"
    assert loopback.get("/draft").headers["referrer-policy"] == "same-origin"
