"""The web app and REST API of Retain (FastAPI, server-rendered pages, ``/api/v1``)."""

from retain.web.app import create_app
from retain.web.settings import WebSettings, web_settings

__all__ = ["WebSettings", "create_app", "web_settings"]
