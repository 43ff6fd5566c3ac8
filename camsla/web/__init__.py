"""The web app of `camsla serve`: the status page and the JSON API (FastAPI, server-rendered)."""

from camsla.web.app import create_app

__all__ = ["create_app"]
