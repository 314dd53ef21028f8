"""Lanterne over HTTP (FastAPI). For now the recommendation API that the audit's simulator
browses; the pages of the web interface build on the same application."""

from lanterne.web._api import create_app

__all__ = ["create_app"]
