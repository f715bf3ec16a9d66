"""A generated OAI-PMH 2.0 repository served on loopback, with faults on demand.

Records are held in a dict; ListRecords (records) and ListIdentifiers (their
headers) page them with resumption tokens that name a generation, so that
`expire_tokens()` makes every outstanding token invalid (badResumptionToken),
as a repository that restarted would.
Faults are set by request number: "503" (with Retry-After), "drop" (connection
closed mid-body), "broken" (a page cut in the middle), "expire" (every
outstanding token expires before this request is answered).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.loopback import LoopbackServer, send

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
    'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
    "<responseDate>{now}</responseDate>"
)


@dataclass
class Record:
    """One record of the fake repository."""

    identifier: str
    datestamp: str
    title: str
    deleted: bool = False
    doi: str = ""
    # Comments, white space, set specs and an `about`, all of which the
    # protocol allows around a record's parts.
    loose: bool = False

    @property
    def gap(self) -> str:
        return "\n  <!-- a comment -->\n  " if self.loose else ""

    def header(self) -> str:
        status = ' status="deleted"' if self.deleted else ""
        gap = self.gap
        return (
            f"<header{status}>{gap}<identifier>{escape(self.identifier)}</identifier>"
            f"{gap}<datestamp>{self.datestamp}</datestamp>{gap}"
            + ("<setSpec>reports</setSpec>" if self.loose else "")
            + "</header>"
        )

    def xml(self) -> str:
        gap, header = self.gap, self.header()
        if self.deleted:
            return f"<record>{gap}{header}{gap}</record>"
        about = (
            '<about><provenance xmlns="http://www.openarchives.org/OAI/2.0/provenance">'
            "</provenance></about>"
            if self.loose
            else ""
        )
        doi = (
            f"<dc:identifier>doi:{escape(self.doi)}</dc:identifier>" if self.doi else ""
        )
        return (
            f"<record>{gap}{header}{gap}<metadata>{gap}"
            '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(self.title)}</dc:title>"
            "<dc:creator>Example, Ann</dc:creator>"
            f"<dc:description>About {escape(self.title)}.</dc:description>"
            f"<dc:date>{self.datestamp[:10]}</dc:date>"
            "<dc:type>Report</dc:type><dc:language>eng</dc:language>"
            f"<dc:identifier>https://repository.example.org/{escape(self.identifier)}"
            f"</dc:identifier>{doi}"
            f"</oai_dc:dc>{gap}</metadata>{gap}{about}</record>"
        )


class OaiRepository:
    """The repository's state and its HTTP route."""

    def __init__(self, *, page_size: int = 50, overlap: int = 0) -> None:
        self.records: dict[str, Record] = {}
        self.page_size = page_size
        self.overlap = overlap
        self.generation = 0
        # Faults by request number (0 is the first request the server gets).
        self.faults: dict[int, str] = {}
        # Verbs answered with an error code instead (a repository that does
        # not offer ListIdentifiers, or whose ListIdentifiers is broken).
        self.refused: dict[str, str] = {}
        # Changes made to the records just before answering a request, by
        # request number (a record that changes in the middle of a listing).
        self.before: dict[int, Callable[[], None]] = {}
        self.verbs: list[str] = []  # of every request, in order
        # Identifiers ListRecords leaves out (a repository's inconsistency):
        # always, or when it is asked for records from a datestamp on.
        self.hidden: set[str] = set()
        self.hidden_from: set[str] = set()
        self.served = 0
        self.lock = threading.Lock()
        self.now = "2026-11-28T12:00:00Z"

    def add(self, count: int, *, start: int = 0, datestamp="2026-01-01T00:00:00Z"):
        for n in range(start, start + count):
            identifier = f"oai:repository.example.org:{n}"
            self.records[identifier] = Record(
                identifier=identifier,
                datestamp=datestamp,
                title=f"Report number {n} on Internet governance",
            )

    def live(self) -> set[str]:
        """The identifiers the repository offers (not deleted)."""
        return {i for i, r in self.records.items() if not r.deleted}

    def expire_tokens(self) -> None:
        with self.lock:
            self.generation += 1

    def _error(self, code: str, text: str = "") -> str:
        return (
            HEAD.format(now=self.now)
            + f'<request>http://127.0.0.1/oai</request><error code="{code}">'
            f"{escape(text)}</error></OAI-PMH>"
        )

    def _identify(self) -> str:
        return (
            HEAD.format(now=self.now)
            + '<request verb="Identify">http://127.0.0.1/oai</request><Identify>'
            "<repositoryName>Fake</repositoryName>"
            "<baseURL>http://127.0.0.1/oai</baseURL>"
            "<protocolVersion>2.0</protocolVersion>"
            "<adminEmail>admin@example.org</adminEmail>"
            "<earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp>"
            "<deletedRecord>persistent</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
            "</Identify></OAI-PMH>"
        )

    def _list(self, verb: str, params: dict[str, str]) -> str:
        if "resumptionToken" in params:
            try:
                generation, offset, since = params["resumptionToken"].split("!")
                generation, offset = int(generation), int(offset)
            except ValueError:
                return self._error("badResumptionToken", "unreadable")
            if generation != self.generation:
                return self._error("badResumptionToken", "expired")
        else:
            if params.get("metadataPrefix") != "oai_dc":
                return self._error("cannotDisseminateFormat")
            offset, since = 0, params.get("from", "")
        selected = sorted(
            (r for r in self.records.values() if r.datestamp >= since),
            key=lambda r: r.identifier,
        )
        if not selected:
            return self._error("noRecordsMatch")
        start = max(0, offset - self.overlap) if offset else 0
        page = selected[start : offset + self.page_size]
        following = offset + self.page_size
        token = ""
        if following < len(selected):
            token = (
                f'<resumptionToken completeListSize="{len(selected)}" '
                f'cursor="{offset}">'
                f"{self.generation}!{following}!{since}</resumptionToken>"
            )
        elif offset:
            token = (
                f'<resumptionToken completeListSize="{len(selected)}" '
                f'cursor="{offset}"/>'
            )
        return (
            HEAD.format(now=self.now)
            + f'<request verb="{verb}">http://127.0.0.1/oai</request><{verb}>'
            + "".join(
                r.header() if verb == "ListIdentifiers" else r.xml()
                for r in page
                if verb == "ListIdentifiers"
                or not (
                    r.identifier in self.hidden
                    or (since and r.identifier in self.hidden_from)
                )
            )
            + token
            + f"</{verb}></OAI-PMH>"
        )

    def route(self, handler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        params = {k: v[0] for k, v in query.items()}
        with self.lock:
            fault = self.faults.pop(self.served, "")
            change = self.before.pop(self.served, None)
            self.served += 1
        if change is not None:
            change()
        if fault == "expire":
            self.expire_tokens()
        if fault == "503":
            send(handler, 503, b"busy", headers={"Retry-After": "1"})
            return
        verb = params.get("verb", "")
        self.verbs.append(verb)
        if verb in self.refused:
            body = self._error(self.refused[verb])
        elif verb == "Identify":
            body = self._identify()
        elif verb in {"ListRecords", "ListIdentifiers"}:
            body = self._list(verb, params)
        else:
            body = self._error("badVerb")
        data = body.encode()
        if fault == "drop":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/xml")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 2])
            handler.close_connection = True
            return
        if fault == "broken":
            data = data[: len(data) // 2]
        send(handler, 200, data, content_type="text/xml; charset=utf-8")


def serve(repository: OaiRepository) -> LoopbackServer:
    """A loopback server with the repository at /oai (not yet started)."""
    server = LoopbackServer()
    server.routes["/oai"] = repository.route
    return server
