"""Lanterne over HTTP: server-rendered pages for the public and professionals, and a JSON API
under /api (docs/web.md)."""

from lanterne.web._app import create_app
from lanterne.web._site import HomeSettings, Site

__all__ = ["HomeSettings", "Site", "create_app"]
