"""``drafter serve``: the web page and JSON API."""

from __future__ import annotations

import click

from drafter.cli.console import fail
from drafter.cli.options import index_options, max_mb_option, model_options


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (a public one needs --token).")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--token", envvar="DRAFTER_TOKEN", help="Every request must carry this token (or set DRAFTER_TOKEN).")
@max_mb_option("upload")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Worker processes: requests reviewed or drafted at once.")
@click.option("--time-limit", type=click.FloatRange(min=1), default=120, show_default=True, metavar="SECONDS",
              help="Time a request may take; over it, it is stopped (HTTP 422).")
@click.option("--memory-limit", type=click.IntRange(min=64), default=1024, show_default=True, metavar="MB",
              help="Memory a request may take in its worker; over it, it is stopped (HTTP 422).")
@index_options()
@click.option("--backend", type=click.Choice(["offline", "openai"]), default="offline", show_default=True,
              help="Drafting backend.")
@model_options("--backend openai")
def serve_cmd(host, port, token, max_mb, workers, time_limit, memory_limit, index_dir, chroma_url, no_index, backend,
              model, base_url, endpoint):
    """A web page (review and draft) and a JSON API under /api/, on 127.0.0.1:8000 by default."""
    import logging

    from drafter.web import WebSettings, create_app
    from drafter.web.app import run_server

    settings = WebSettings(max_bytes=int(max_mb * 1024 * 1024), token=token or None, index_dir=index_dir,
                           chroma_url=chroma_url, no_index=no_index, backend=backend, model=model,
                           base_url=base_url, endpoint=endpoint, host=host, workers=workers, time_limit=time_limit,
                           memory_limit_mb=memory_limit)
    app = create_app(settings)
    warning = _bind_warning(host, token)
    if warning:
        fail(warning)

    # drafter's own access log (method, path, status; never a query string); other libraries
    # keep their default (warnings only)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logging.getLogger("drafter").addHandler(handler)
    logging.getLogger("drafter").setLevel(logging.INFO)
    info = app.state.backend.describe()
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"drafter serve: http://{shown}:{port}/{'?token=…' if token else ''}  "
               f"(起草 {info['draft']['label']}；语料 {info['index']['label']})", err=True)
    run_server(app, host, port)


def _bind_warning(host: str, token: str | None) -> str | None:
    """The warning for a server other machines can reach without a token."""
    from drafter.web.service import is_loopback

    if token or is_loopback(host):
        return None
    return (f"warning: {host} is reachable from other machines and there is no --token: anyone who can reach it "
            "can upload reports; add --token (or bind 127.0.0.1)")
