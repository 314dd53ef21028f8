"""An OAI-PMH 2.0 data provider over the catalogue: the six verbs, oai_dc and EDM, sets,
persistent deletions and resumption tokens that hold no server state (docs/publishing.md,
« OAI-PMH »).

``respond`` takes the request's arguments as pairs (so a repeated one is seen) and returns the
whole XML answer; errors are answers too (``<error code=…>``, HTTP 200). A list is read in the
order works were first stored (``WorkState.position``) and cut into pages; the token of the next
page carries what selects the list, the position reached and a keyed digest, so any server
process, after a restart too, goes on where the last page stopped, and an altered token is
refused. The list is the catalogue as it stood when its first page was asked for: a work
changed after that is left to the next incremental harvest (``from`` = that page's
``responseDate``), which a work changed in the same second may reach twice, never zero times.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from urllib.parse import quote, unquote, urlsplit

import msgspec
from lxml import etree

from lanterne.catalogue import Catalogue, StateFilter, WorkState
from lanterne.messages import say
from lanterne.profile import TerritoryLevel, Work
from lanterne.publish._dc import OAI_DC_SCHEMA, dc_text
from lanterne.publish._edm import EdmOptions, _rdf, edm_problems
from lanterne.publish._xml import NS, clean, escape_attribute, escape_text

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
EDM_SCHEMA = "http://www.europeana.eu/schemas/edm/EDM.xsd"
_XSI = "{" + NS["xsi"] + "}schemaLocation"

FORMATS: dict[str, tuple[str, str]] = {
    "oai_dc": (OAI_DC_SCHEMA, NS["oai_dc"]),
    # As Europeana's own provider advertises EDM (europeana/OAI-PMH oai-pmh.properties).
    "edm": (EDM_SCHEMA, NS["edm"]),
}
"""metadataPrefix → (schema, metadataNamespace)."""

VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
}
"""verb → (required arguments, optional ones); ``resumptionToken`` replaces the required."""

_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_REPOSITORY = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
_LOCAL = re.compile(r"[a-zA-Z0-9\-_.!~*'();/?:@&=+$,%]+")
_CODE = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LOCAL_SAFE = "-_.!~*'();/?:@&=+$,"
"""Characters a work id keeps in its OAI identifier; the others are percent-encoded."""
_TERRITORY_LEVELS = (TerritoryLevel.REGION, TerritoryLevel.PROVINCE)
_BATCH = 500
"""States read per query while a page fills."""


class OaiConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What the repository says of itself and how it pages (the settings ``oai_*``)."""

    repository_name: str = "Lanterne"
    admin_email: str = "webmaster@lanterne.localhost"
    repository_id: str = "lanterne.localhost"
    """The domain name in the identifiers ``oai:REPOSITORY:WORK``."""
    page_records: int = 100
    page_identifiers: int = 500
    secret: str = ""
    """Key of the tokens' digest (empty: a fixed one)."""
    edm: EdmOptions = EdmOptions()

    @classmethod
    def from_settings(cls, catalogue_name: str = "") -> OaiConfig:
        """The configuration the settings give (``catalogue_name`` names a nameless one)."""
        from lanterne.settings import text, whole

        base = text("base_uri")
        host = urlsplit(base).hostname or ""
        repository = text("oai_repository_id") or (
            host if _REPOSITORY.fullmatch(host) else "lanterne.localhost"
        )
        name = text("oai_repository_name") or " — ".join(
            n for n in ("Lanterne", catalogue_name) if n
        )
        return cls(
            repository_name=name,
            admin_email=text("oai_admin_email") or f"webmaster@{repository}",
            repository_id=repository,
            page_records=whole("oai_records_page_max"),
            page_identifiers=whole("oai_identifiers_page_max"),
            secret=text("oai_secret"),
            edm=EdmOptions(base=base, provider=text("edm_provider"), rights=text("edm_rights")),
        )

    def identifier(self, work_id: str) -> str:
        """The OAI identifier of the work ``work_id``."""
        return f"oai:{self.repository_id}:{quote(work_id, safe=_LOCAL_SAFE)}"

    def work_id(self, identifier: str) -> str | None:
        """The work id in ``identifier``; ``None`` when it is not one of this repository's."""
        head = f"oai:{self.repository_id}:"
        local = identifier[len(head) :]
        if not identifier.startswith(head) or not _LOCAL.fullmatch(local):
            return None
        return unquote(local)


class OaiError(Exception):
    """An OAI-PMH error condition (3.6): its code and the message id of its text."""

    def __init__(self, code: str, key: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.key = key
        self.params = params

    def text(self) -> str:
        shown = {k: clean(str(v))[:200] for k, v in self.params.items()}
        return f"{say(self.key, 'fr', **shown)} / {say(self.key, 'en', **shown)}"


class _Token(msgspec.Struct, array_like=True, frozen=True):
    """What a resumption token carries: the list's selection and how far it went."""

    version: int
    verb: str
    prefix: str
    set: str | None
    modified_from: str | None
    modified_before: str | None
    after: int
    cursor: int
    size: int | None


_TOKEN_VERSION = 1
_decode_token = msgspec.json.Decoder(_Token)


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"lanterne-oai-pmh:" + secret.encode("utf-8")).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_token(token: _Token, secret: str) -> str:
    payload = msgspec.json.encode(token)
    digest = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:12]
    return f"{_b64(payload)}.{_b64(digest)}"


def decode_token(text: str, verb: str, secret: str) -> _Token:
    """The token ``text`` of a ``verb`` list; ``badResumptionToken`` when it is not one we
    wrote for that verb, unchanged."""
    payload_text, sep, digest_text = text.partition(".")
    try:
        payload, digest = _unb64(payload_text), _unb64(digest_text)
    except ValueError:
        raise OaiError("badResumptionToken", "oai.bad_token") from None
    expected = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:12]
    if not sep or not hmac.compare_digest(digest, expected):
        raise OaiError("badResumptionToken", "oai.bad_token")
    try:
        token = _decode_token.decode(payload)
    except msgspec.DecodeError:
        raise OaiError("badResumptionToken", "oai.bad_token") from None
    if token.version != _TOKEN_VERSION or token.verb != verb or token.prefix not in FORMATS:
        raise OaiError("badResumptionToken", "oai.bad_token")
    return token


# Dates -------------------------------------------------------------------------------------


def now_text(now: dt.datetime) -> str:
    """``now`` as the change log writes times (``2024-05-01T10:00:00.123Z``)."""
    return now.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def datestamp(modified: str) -> str:
    """A change-log time at the repository's granularity (``YYYY-MM-DDThh:mm:ssZ``)."""
    return modified[:19] + "Z"


def _bounds(given: dict[str, str]) -> tuple[str | None, str | None]:
    """``from`` and ``until`` as bounds on change-log times: at or after, strictly before."""
    low, high = given.get("from"), given.get("until")
    kinds = []
    for name, value in (("from", low), ("until", high)):
        if value is None:
            continue
        kind = "day" if _DAY.fullmatch(value) else "second" if _SECOND.fullmatch(value) else ""
        try:
            if kind == "day":
                dt.date.fromisoformat(value)
            elif kind == "second":
                dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            kind = ""
        if not kind:
            raise OaiError("badArgument", "oai.bad_date", name=name)
        kinds.append(kind)
    if len(set(kinds)) > 1:
        raise OaiError("badArgument", "oai.mixed_granularity")
    if low is not None and high is not None and low > high:
        raise OaiError("badArgument", "oai.from_after_until")
    start = low.rstrip("Z") if low is not None else None
    end = None
    if high is not None:
        try:
            if _DAY.fullmatch(high):
                end = (dt.date.fromisoformat(high) + dt.timedelta(days=1)).isoformat()
            else:
                moment = dt.datetime.strptime(high, "%Y-%m-%dT%H:%M:%SZ")
                end = (moment + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
        except OverflowError:
            end = None  # until the last day of year 9999: no bound
    return start, end


# Sets --------------------------------------------------------------------------------------


def set_filter(spec: str) -> StateFilter | None:
    """The works of the set ``spec``; ``None`` when the repository has no such set."""
    head, _, tail = spec.partition(":")
    if ":" in tail:
        return None
    if head in ("source", "type") and not tail:
        return StateFilter()  # every work has a source and a type
    if head == "source":
        return StateFilter(source=tail)
    if head == "type":
        return StateFilter(type=tail)
    if head == "territory":
        return StateFilter(territory=tail)
    return None


def work_sets(work: Work | None, state: WorkState) -> list[str]:
    """The setSpecs of a work's header (a deleted work: its source's)."""
    specs = [f"source:{state.source}"]
    if work is not None:
        specs.append(f"type:{work.type.value}")
        specs.extend(
            f"territory:{t.code}"
            for t in work.diversity.territories
            if t.code and t.level in _TERRITORY_LEVELS
        )
    return [s for s in dict.fromkeys(specs) if _SPEC.fullmatch(s)]


# The answer --------------------------------------------------------------------------------
#
# Written as text, not as an lxml tree: a page of records is thousands of elements, and the
# tree cost more than the records' own crosswalk. The text is what lxml serialised (same
# escaping, same namespace declarations, ``<x/>`` for an element without text or children),
# which tests/test_publish_oai_text.py checks against lxml.

_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    f'<OAI-PMH xmlns="{OAI}" xmlns:xsi="{NS["xsi"]}" xsi:schemaLocation="{OAI} {OAI_SCHEMA}">'
)
_XSI_DECLARATION = f' xmlns:xsi="{NS["xsi"]}"'


def _el(name: str, text: str | None = None, attrs: Sequence[tuple[str, str]] = ()) -> str:
    """One element holding only text (none: written empty, ``<name/>``)."""
    head = name + "".join(f' {k}="{escape_attribute(v)}"' for k, v in attrs)
    if text is None:
        return f"<{head}/>"
    return f"<{head}>{escape_text(text)}</{name}>"


def _wrap(name: str, children: Sequence[str], attrs: Sequence[tuple[str, str]] = ()) -> str:
    """One element holding the elements ``children`` (already written)."""
    head = name + "".join(f' {k}="{escape_attribute(v)}"' for k, v in attrs)
    if not children:
        return f"<{head}/>"
    return f"<{head}>{''.join(children)}</{name}>"


class _Answer:
    """One response being written: the request's echo and the verb's element."""

    def __init__(self, catalogue: Catalogue, config: OaiConfig, base_url: str, now: dt.datetime):
        self.catalogue = catalogue
        self.config = config
        self.base_url = base_url
        self.now = now
        self.request: list[tuple[str, str]] = []
        self.body: list[str] = []

    def echo(self, args: dict[str, str]) -> None:
        for name in ("verb", "identifier", "metadataPrefix", "from", "until", "set"):
            if name in args:
                self.request.append((name, args[name]))
        if "resumptionToken" in args:
            self.request.append(("resumptionToken", args["resumptionToken"]))

    def error(self, failure: OaiError) -> None:
        self.body.append(_el("error", failure.text(), [("code", failure.code)]))

    def bytes(self) -> bytes:
        parts = [
            _HEAD,
            _el("responseDate", self.now.strftime("%Y-%m-%dT%H:%M:%SZ")),
            _el("request", self.base_url, self.request),
            *self.body,
            "</OAI-PMH>",
        ]
        return "".join(parts).encode("utf-8")

    # Verbs ---------------------------------------------------------------------------------

    def identify(self, args: dict[str, str]) -> None:
        first = self.catalogue.changes(0, 1)
        earliest = datestamp(first[0].at) if first else self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        ident = _wrap(
            "oai-identifier",
            [
                _el("scheme", "oai"),
                _el("repositoryIdentifier", self.config.repository_id),
                _el("delimiter", ":"),
                _el("sampleIdentifier", self.config.identifier("source:1")),
            ],
            [("xmlns", OAI_ID), ("xsi:schemaLocation", f"{OAI_ID} {OAI_ID_SCHEMA}")],
        )
        self.body.append(
            _wrap(
                "Identify",
                [
                    _el("repositoryName", clean(self.config.repository_name) or "Lanterne"),
                    _el("baseURL", self.base_url),
                    _el("protocolVersion", "2.0"),
                    _el("adminEmail", self.config.admin_email),
                    _el("earliestDatestamp", earliest),
                    _el("deletedRecord", "persistent"),
                    _el("granularity", "YYYY-MM-DDThh:mm:ssZ"),
                    _wrap("description", [ident]),
                ],
            )
        )

    def list_metadata_formats(self, args: dict[str, str]) -> None:
        prefixes = list(FORMATS)
        if "identifier" in args:
            work = self._item(args["identifier"])[1]
            if work is not None and edm_problems(work, self.config.edm):
                prefixes.remove("edm")
        formats = []
        for prefix in prefixes:
            schema, namespace = FORMATS[prefix]
            formats.append(
                _wrap(
                    "metadataFormat",
                    [
                        _el("metadataPrefix", prefix),
                        _el("schema", schema),
                        _el("metadataNamespace", namespace),
                    ],
                )
            )
        self.body.append(_wrap("ListMetadataFormats", formats))

    def list_sets(self, args: dict[str, str]) -> None:
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "oai.bad_token")  # none is ever given out
        if not self.catalogue.work_states(limit=1):  # no work, deleted or not: no sets
            raise OaiError("noSetHierarchy", "oai.no_sets")
        found = self.catalogue.set_values()  # counts kept as works are written: no scan
        sets: list[tuple[str, str]] = [
            ("source", "Œuvres par source / Works by source"),
            ("type", "Œuvres par type / Works by type"),
            ("territory", "Œuvres par région ou province / Works by region or province"),
        ]
        sets += [(f"source:{s}", f"Source : {s} / Source: {s}") for s in found["source"]]
        sets += [(f"type:{t}", f"Type : {t} / Type: {t}") for t in found["type"]]
        sets += [
            (f"territory:{c}", f"Territoire : {c} / Territory: {c}")
            for c in found["territory"]
            if _CODE.fullmatch(c)
        ]
        self.body.append(
            _wrap(
                "ListSets",
                [
                    _wrap("set", [_el("setSpec", spec), _el("setName", clean(name))])
                    for spec, name in sets
                    if _SPEC.fullmatch(spec)
                ],
            )
        )

    def get_record(self, args: dict[str, str]) -> None:
        prefix = _format(args["metadataPrefix"])
        state, work = self._item(args["identifier"])
        metadata = None
        if work is not None:
            if not self._carries(work, prefix):
                reasons = "; ".join(r.message("fr") for r in edm_problems(work, self.config.edm))
                raise OaiError(
                    "cannotDisseminateFormat", "oai.not_in_format", prefix=prefix, reasons=reasons
                )
            metadata = self._metadata(work, prefix)
        self.body.append(_wrap("GetRecord", [self._record(state, work, metadata)]))

    def list_identifiers(self, args: dict[str, str]) -> None:
        self._list(args, "ListIdentifiers", self.config.page_identifiers)

    def list_records(self, args: dict[str, str]) -> None:
        self._list(args, "ListRecords", self.config.page_records)

    # Parts ---------------------------------------------------------------------------------

    def _item(self, identifier: str) -> tuple[WorkState, Work | None]:
        """The state of the work ``identifier`` names and the work (``None``: deleted)."""
        work_id = self.config.work_id(identifier)
        state = self.catalogue.work_state(work_id) if work_id is not None else None
        if state is None:
            raise OaiError("idDoesNotExist", "oai.unknown_id", repository=self.config.repository_id)
        work = None if state.deleted else self.catalogue.get(state.id)
        return state, work

    def _carries(self, work: Work, prefix: str) -> bool:
        """Whether the format ``prefix`` can carry ``work`` (oai_dc: every work)."""
        return prefix == "oai_dc" or not edm_problems(work, self.config.edm)

    def _metadata(self, work: Work, prefix: str) -> str:
        """The work's record in ``prefix`` (one it ``_carries``), as it reads in the answer."""
        if prefix == "oai_dc":
            return dc_text(work, self.config.edm.base)
        root = _rdf(work, self.config.edm)
        root.set(_XSI, f"{NS['rdf']} {EDM_SCHEMA}")
        # Inside the answer, whose root declares xsi, lxml wrote no declaration of its own.
        text = etree.tostring(root, encoding="unicode")
        return str(text).replace(_XSI_DECLARATION, "", 1)

    def _header(self, state: WorkState, work: Work | None) -> str:
        # One format string, as _el and _wrap would write it: a header per record of a page.
        # A setSpec (_SPEC) and a datestamp hold nothing to escape; an identifier may (« & »).
        start = '<header status="deleted">' if state.deleted or work is None else "<header>"
        identifier = escape_text(self.config.identifier(state.id))
        sets = "".join([f"<setSpec>{spec}</setSpec>" for spec in work_sets(work, state)])
        return (
            f"{start}<identifier>{identifier}</identifier>"
            f"<datestamp>{datestamp(state.modified)}</datestamp>{sets}</header>"
        )

    def _record(self, state: WorkState, work: Work | None, metadata: str | None) -> str:
        header = self._header(state, work)
        if metadata is None:
            return f"<record>{header}</record>"
        return f"<record>{header}<metadata>{metadata}</metadata></record>"

    def _list(self, args: dict[str, str], verb: str, page: int) -> None:
        if "resumptionToken" in args:
            token = decode_token(args["resumptionToken"], verb, self.config.secret)
        else:
            token = self._first_token(args, verb)
        where = _where(token)
        if where is None:
            raise OaiError("noRecordsMatch", "oai.no_records")
        found: list[tuple[WorkState, Work | None]] = []
        scan, more = token.after, False
        # A full page and one more (it tells this page is not the last) are the most the first
        # read can give; later reads only follow works EDM could not carry.
        limit = page + 1
        while True:
            states = self.catalogue.work_states(after=scan, limit=limit, where=where)
            works = self.catalogue.get_many([s.id for s in states if not s.deleted])
            for state in states:
                work = works.get(state.id)
                if not state.deleted and (work is None or not self._carries(work, token.prefix)):
                    continue  # not in this format (EDM), or deleted between two reads
                if len(found) == page:
                    more = True
                    break
                found.append((state, work))
            if more or len(states) < limit:
                break
            scan, limit = states[-1].position, _BATCH
        if not found:
            raise OaiError("noRecordsMatch", "oai.no_records")
        if verb == "ListRecords":
            items = [
                self._record(
                    state, work, None if work is None else self._metadata(work, token.prefix)
                )
                for state, work in found
            ]
        else:
            items = [self._header(state, work) for state, work in found]
        done = token.cursor + len(found)
        if more or token.cursor > 0:  # else the whole list in one answer: no token
            attrs = [("cursor", str(token.cursor))]
            size = done if not more else token.size
            if size:
                attrs.append(("completeListSize", str(size)))
            text = None
            if more:
                last = found[-1][0].position
                following = msgspec.structs.replace(token, after=last, cursor=done)
                text = encode_token(following, self.config.secret)
            items.append(_el("resumptionToken", text, attrs))
        self.body.append(_wrap(verb, items))

    def _first_token(self, args: dict[str, str], verb: str) -> _Token:
        prefix = _format(args["metadataPrefix"])
        low, high = _bounds(args)
        # The list is the catalogue as it is now: later changes wait for the next harvest.
        frozen = now_text(self.now)
        high = min(high, frozen) if high is not None else frozen
        spec = args.get("set")
        if spec is not None and not self.catalogue.work_states(limit=1):
            raise OaiError("noSetHierarchy", "oai.no_sets")
        token = _Token(_TOKEN_VERSION, verb, prefix, spec, low, high, 0, 0, None)
        where = _where(token)
        # The size is known beforehand in oai_dc only: EDM leaves out works the store's query
        # cannot tell (edm_problems), so its lists give it on their last page.
        size = None
        if where is not None and prefix == "oai_dc":
            size = self.catalogue.count_states(where) or None
        return msgspec.structs.replace(token, size=size)


def _format(prefix: str) -> str:
    if prefix not in FORMATS:
        raise OaiError(
            "cannotDisseminateFormat",
            "oai.unknown_format",
            prefix=prefix,
            formats=", ".join(FORMATS),
        )
    return prefix


def _where(token: _Token) -> StateFilter | None:
    base = StateFilter() if token.set is None else set_filter(token.set)
    if base is None:
        return None
    return msgspec.structs.replace(
        base, modified_from=token.modified_from, modified_before=token.modified_before
    )


# Arguments ---------------------------------------------------------------------------------


def _arguments(pairs: Sequence[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and the arguments.

    Raises ``OaiError`` for badVerb and badArgument, in the order the protocol checks them.
    """
    verbs = [v for k, v in pairs if k == "verb"]
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "oai.bad_verb")
    verb = verbs[0]
    required, optional = VERBS[verb]
    args: dict[str, str] = {}
    for name, value in pairs:
        if name == "verb":
            continue
        if name not in required and name not in optional:
            raise OaiError("badArgument", "oai.unknown_argument", verb=verb, name=name)
        if name in args:
            raise OaiError("badArgument", "oai.repeated", name=name)
        if not value or _NOT_XML.search(value):
            raise OaiError("badArgument", "oai.bad_value", name=name)
        args[name] = value
    if "resumptionToken" in args:
        others = sorted(set(args) - {"resumptionToken"})
        if others:
            raise OaiError("badArgument", "oai.exclusive", names=", ".join(others))
    else:
        for name in sorted(required - set(args)):
            raise OaiError("badArgument", "oai.missing_argument", verb=verb, name=name)
    if "metadataPrefix" in args and not _PREFIX.fullmatch(args["metadataPrefix"]):
        raise OaiError("badArgument", "oai.bad_prefix", formats=", ".join(FORMATS))
    if "set" in args and not _SPEC.fullmatch(args["set"]):
        raise OaiError("badArgument", "oai.bad_set")
    _bounds(args)
    return verb, args


_HANDLERS: dict[str, Callable[[_Answer, dict[str, str]], None]] = {
    "Identify": _Answer.identify,
    "ListMetadataFormats": _Answer.list_metadata_formats,
    "ListSets": _Answer.list_sets,
    "GetRecord": _Answer.get_record,
    "ListIdentifiers": _Answer.list_identifiers,
    "ListRecords": _Answer.list_records,
}


def respond(
    catalogue: Catalogue,
    pairs: Sequence[tuple[str, str]],
    config: OaiConfig,
    base_url: str,
    now: dt.datetime | None = None,
) -> bytes:
    """The XML answer to one OAI-PMH request whose arguments are ``pairs``, in their order.

    ``base_url`` is the address the request was sent to (its ``<request>`` and Identify's
    ``baseURL``). Every error is an answer with ``<error code=…>``; after a badVerb or a
    badArgument the request's arguments are not echoed, and an argument found invalid never is.
    """
    answer = _Answer(catalogue, config, base_url, now or dt.datetime.now(dt.UTC))
    try:
        verb, args = _arguments(pairs)
    except OaiError as failure:
        answer.error(failure)
        return answer.bytes()
    # An identifier not of this repository's form (the validator sends one with a « " ») is
    # answered idDoesNotExist and not echoed: only valid arguments are.
    legal = "identifier" not in args or config.work_id(args["identifier"]) is not None
    answer.echo({"verb": verb} | {k: v for k, v in args.items() if legal or k != "identifier"})
    try:
        _HANDLERS[verb](answer, args)
    except OaiError as failure:
        answer.error(failure)
    return answer.bytes()


__all__ = ["FORMATS", "OaiConfig", "OaiError", "datestamp", "respond", "set_filter", "work_sets"]
