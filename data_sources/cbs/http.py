"""HTTP for CBS and PDOK: explicit timeouts, retries with backoff, progress, Dutch errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from data_sources.errors import SourceUnavailable

# progress(fraction between 0 and 1 or None when unknown, Dutch message)
Progress = Callable[[float | None, str], None]

RETRY_STATUS = {429, 500, 502, 503, 504}
# Seconds before the first retry, doubling after that; read when a client is made, so that a test
# of a page (which makes its own clients) can set it to 0 instead of waiting.
RETRY_BACKOFF_SECONDS = 1.0
# An answer of CBS or PDOK is one page of at most 10,000 rows or a few hundred boundaries: tens of
# MB. A larger one (a server that declares or sends 2 GB) is not read into memory.
MAX_ANSWER_BYTES = 200 * 1024 * 1024


def no_progress(fraction: float | None, message: str) -> None:
    """A progress callback that ignores everything."""


class NotFound(SourceUnavailable):
    """The source answered, but the table or layer does not exist there (HTTP 404/400)."""


@dataclass
class HttpClient:
    """A small requests wrapper: every call has a timeout, failed calls are retried with
    exponential backoff, and a source that stays unreachable raises SourceUnavailable."""

    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 2
    backoff: float = field(default_factory=lambda: RETRY_BACKOFF_SECONDS)
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep

    def get(self, url: str, params: dict | None = None, *, source: str = "CBS") -> requests.Response:
        """GET with retries; raises SourceUnavailable (Dutch) when all attempts fail."""
        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.session.get(
                    url, params=params, timeout=(self.connect_timeout, self.read_timeout),
                    headers={"Accept": "application/json"}, stream=True,
                )
            except requests.Timeout:
                last_problem = "geen antwoord binnen de wachttijd"
                continue
            except requests.ConnectionError:
                last_problem = "geen verbinding"
                continue
            if response.status_code in RETRY_STATUS:
                last_problem = f"foutcode {response.status_code} van de server"
                continue
            if response.status_code in {400, 404}:
                raise NotFound(
                    f"{source} kent dit niet (foutcode {response.status_code}): {response.url}"
                )
            if response.status_code >= 400:
                last_problem = f"foutcode {response.status_code} van de server"
                break
            return response
        raise SourceUnavailable(unreachable_message(source, url, last_problem))

    def get_json(self, url: str, params: dict | None = None, *, source: str = "CBS") -> object:
        """GET and decode JSON; a body that is not JSON counts as the source being unavailable."""
        response = self.get(url, params, source=source)
        body = _bounded_body(response, url, source)
        try:
            return json.loads(body)
        except (ValueError, RecursionError):  # also a JSON nested thousands of levels deep
            raise SourceUnavailable(
                unreachable_message(source, url, "het antwoord is geen geldige JSON")
            ) from None


def _bounded_body(response: requests.Response, url: str, source: str) -> bytes:
    """The body of a streamed answer, read no further than MAX_ANSWER_BYTES (refused above it,
    whether the server declares that length or only sends it)."""
    too_large = SourceUnavailable(unreachable_message(
        source, url, f"het antwoord is groter dan {MAX_ANSWER_BYTES // 1024 ** 2} MB"))
    with response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdecimal() and int(declared) > MAX_ANSWER_BYTES:
            raise too_large
        body = bytearray()
        try:
            for chunk in response.iter_content(1024 * 1024):
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise too_large
        except requests.RequestException:
            raise SourceUnavailable(unreachable_message(
                source, url, "de verbinding werd verbroken tijdens het antwoord")) from None
    return bytes(body)


def unreachable_message(source: str, url: str, problem: str) -> str:
    """The Dutch sentence shown when CBS or PDOK cannot be reached."""
    return (
        f"{source} is op dit moment niet bereikbaar ({problem}; {url}). "
        "Eerder geladen gegevens blijven gewoon beschikbaar. Probeer het later opnieuw, of laad "
        "een handmatig gedownload bestand met 'python -m data_sources import-cbs BESTAND'."
    )
