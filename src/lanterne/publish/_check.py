"""``publish check``: every work of a catalogue written in a format and validated, with totals.

A work is ``valid`` (its record passes the standards' files), ``excluded`` (the format cannot
carry it as its consumer requires, with the reasons; nothing is written for it) or ``invalid``
(written, then refused by a validator: a bug of the crosswalk, with the validator's message).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

import msgspec

from lanterne.messages import Lang
from lanterne.profile import Work
from lanterne.publish._dc import work_to_dc
from lanterne.publish._edm import EdmOptions, Reason, edm_record
from lanterne.publish._validate import Validator

Format = Literal["edm", "oai_dc", "shacl"]
FORMATS: tuple[Format, ...] = ("edm", "oai_dc", "shacl")
"""``shacl``: the work's schema.org JSON-LD against the profile's SHACL shape (pyshacl)."""


class WorkCheck(msgspec.Struct, frozen=True, kw_only=True):
    work_id: str
    status: Literal["valid", "excluded", "invalid"]
    reasons: list[Reason] = []
    """Why the work is left out (``excluded``)."""
    errors: list[str] = []
    """The validators' messages (``invalid``)."""


class CheckReport(msgspec.Struct, kw_only=True):
    format: str
    total: int = 0
    valid: int = 0
    excluded: int = 0
    invalid: int = 0
    by_reason: dict[str, int] = {}
    """Excluded works by reason (message id); a work may have several."""
    works: list[WorkCheck] = []
    """Every work, in the catalogue's order."""


def check_work(
    work: Work, fmt: Format, validator: Validator | None, options: EdmOptions, lang: Lang = "fr"
) -> WorkCheck:
    """One work written in ``fmt`` and, when a validator is given, validated (``shacl``: always,
    its messages in ``lang``)."""
    if fmt == "shacl":
        from lanterne.publish._shacl import shacl_check

        errors = [v.line(lang) for v in shacl_check(work, options.base)]
    elif fmt == "edm":
        record = edm_record(work, options)
        if record.xml is None:
            return WorkCheck(work_id=work.id, status="excluded", reasons=record.reasons)
        errors = validator.edm(record.xml) if validator else []
    else:
        xml = work_to_dc(work, options.base)
        errors = validator.oai_dc(xml) if validator else []
    status: Literal["valid", "invalid"] = "invalid" if errors else "valid"
    return WorkCheck(work_id=work.id, status=status, errors=errors)


def check(
    works: Iterable[Work],
    fmt: Format = "edm",
    validator: Validator | None = None,
    options: EdmOptions | None = None,
    lang: Lang = "fr",
) -> CheckReport:
    """Write every work in ``fmt``, validate it, and count (valid + excluded + invalid = total)."""
    options = options or EdmOptions()
    report = CheckReport(format=fmt)
    reasons: Counter[str] = Counter()
    for work in works:
        result = check_work(work, fmt, validator, options, lang)
        report.total += 1
        report.works.append(result)
        if result.status == "valid":
            report.valid += 1
        elif result.status == "excluded":
            report.excluded += 1
            reasons.update({r.key for r in result.reasons})
        else:
            report.invalid += 1
    report.by_reason = dict(reasons.most_common())
    return report
