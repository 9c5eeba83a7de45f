"""The web page and JSON API (``drafter serve``): ``create_app(WebSettings(...))``."""

from drafter.web.app import create_app
from drafter.web.service import WebSettings

__all__ = ["WebSettings", "create_app"]
