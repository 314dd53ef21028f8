"""Lanterne's exceptions. Third-party errors are converted to these at the edge of each module.

Every error carries a message id from ``lanterne.messages`` and its parameters, so the CLI and the
API can say it in French or English; its class declares the CLI's exit code and the HTTP status.
They are shown in one place for each: ``lanterne.cli.main`` and the web's ``lanterne_error``
handler. Every error a person can meet is one of these, defined here (a test checks it).
"""

from __future__ import annotations

from lanterne.messages import Lang, say


class ExitCode:
    """Exit codes of the ``lanterne`` command (documented in docs/cli.md)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    NOT_FOUND = 3
    BAD_INPUT = 4
    BAD_PROFILE = 5
    STORE = 6
    QUARANTINED = 7
    TOOL_MISSING = 8
    INTERRUPTED = 130


class LanterneError(Exception):
    """Base of every error Lanterne reports to a person."""

    exit_code = ExitCode.INTERNAL
    http_status = 500
    """What the HTTP API answers with it."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(say(key, "en", **params))

    def message(self, lang: Lang = "fr") -> str:
        return say(self.key, lang, **self.params)


class InputNotFound(LanterneError):
    exit_code = ExitCode.NOT_FOUND
    http_status = 404


class BadInput(LanterneError):
    """The input as a whole cannot be read (empty, wrong encoding, not the declared format)."""

    exit_code = ExitCode.BAD_INPUT
    http_status = 400


class BadProfile(LanterneError):
    exit_code = ExitCode.BAD_PROFILE
    http_status = 400


class StoreError(LanterneError):
    exit_code = ExitCode.STORE
    http_status = 500


class StoreFull(StoreError):
    """The disk holding the catalogue is full (SQLite said SQLITE_FULL): nothing half-written."""

    http_status = 507  # Insufficient Storage


class NotFound(LanterneError):
    exit_code = ExitCode.NOT_FOUND
    http_status = 404


class Gone(LanterneError):
    """What was published is no more (a deleted work): HTTP 410, so that harvesters drop it."""

    exit_code = ExitCode.NOT_FOUND
    http_status = 410


class NotAcceptable(LanterneError):
    """None of the media types a request accepts is offered."""

    exit_code = ExitCode.USAGE
    http_status = 406


class ToolMissing(LanterneError):
    """A program Lanterne drives (Chromium for PDF) is not installed or failed."""

    exit_code = ExitCode.TOOL_MISSING
    http_status = 503


class Unauthorised(LanterneError):
    """A write without credentials."""

    exit_code = ExitCode.USAGE
    http_status = 401


class Forbidden(LanterneError):
    """A write with wrong credentials, writes switched off, or a form without its CSRF token."""

    exit_code = ExitCode.USAGE
    http_status = 403


class TooLarge(BadInput):
    """An upload over the size the API takes."""

    http_status = 413


class InvalidRequest(BadInput):
    """A request whose parameters do not have the form the API declares."""

    exit_code = ExitCode.USAGE
    http_status = 422


class HttpRefused(LanterneError):
    """A request the web framework refused (a method the route does not take…), with the status
    it gave; 400 unless told."""

    exit_code = ExitCode.USAGE
    http_status = 400

    def __init__(self, status: int, detail: str) -> None:
        super().__init__("web.http", status=status, detail=detail)
        self.http_status = status


# Settings (area: jsonld) -----------------------------------------------------------------


class BadSetting(LanterneError):
    """A setting (environment variable) whose value cannot be used."""

    exit_code = ExitCode.USAGE
    http_status = 500


# Recommendation --------------------------------------------------------------------------------


class BadGoal(LanterneError):
    """An exposure goal that is not ``attribute=value:share`` (or ``:#n``)."""

    exit_code = ExitCode.USAGE
    http_status = 400


# Audit captures and simulator (area "audit") --------------------------------------------------


class NotLoopback(LanterneError):
    """The simulator was given an address off this machine (or one that does not resolve)."""

    exit_code = ExitCode.USAGE
    http_status = 400


# Harvesting (area "harvest") ------------------------------------------------------------------


class HarvestFailed(LanterneError):
    """An OAI-PMH harvest that cannot go on (server unreachable, an OAI error, a bound reached);
    what it stored so far stays, and running it again resumes after its last committed page."""

    exit_code = ExitCode.BAD_INPUT
    http_status = 502


# Batch work on Spark (area "batch") ----------------------------------------------------------


class BatchFailed(LanterneError):
    """A Spark job that failed after Spark's own retries (a task failing every attempt, an
    executor lost for good): nothing it wrote is to be read as complete."""

    exit_code = ExitCode.INTERNAL
    http_status = 500
