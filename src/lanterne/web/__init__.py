"""Lanterne over HTTP: server-rendered pages for the public and professionals, and a JSON API
under /api (docs/web.md)."""

from lanterne.web._app import create_app, serve_worker
from lanterne.web._demo import DEMO_HOME, write_demo_audits
from lanterne.web._site import HomeSettings, Site

__all__ = ["DEMO_HOME", "HomeSettings", "Site", "create_app", "serve_worker", "write_demo_audits"]
