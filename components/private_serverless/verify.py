"""Check deployed private services from their stack outputs: is each one really private?

After ``pulumi up``, each service's endpoint is called twice: without ``X-Auth-Token`` (the
platform must refuse: 401 or 403) and with the service's API key (it must not refuse; any other
status, even 404 or 500, means the key was accepted and the request reached the code). The key
is sent, never shown: results, notes and errors carry only statuses and reasons.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError, Problem
from .inventory import SECRET_PLACEHOLDER

#: Statuses meaning "no valid credentials": what a private endpoint answers without a key.
REJECTED_STATUSES = frozenset({401, 403})

#: Hosts that may be called over plain HTTP (a local test server); everything else needs TLS,
#: since the key would otherwise travel in clear.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

AUTH_HEADER = "X-Auth-Token"

#: Sends one request and returns its HTTP status; raises ``OSError`` (``URLError``) when no
#: HTTP answer came back. Injected by tests; the default is :func:`urllib_status`.
Opener = Callable[[urllib.request.Request, float], int]


class Verdict(StrEnum):
    """The outcome of one service's checks."""

    passed = "pass"
    failed = "FAIL"


@dataclass(frozen=True)
class Endpoint:
    """One service to check, as read from the stack outputs."""

    service: str
    url: str
    api_key: str | None  # None: the key lives in Secret Manager, not in the outputs


@dataclass(frozen=True)
class CheckResult:
    """The two calls made to one service and what they mean.

    A status is ``None`` when the call got no HTTP answer (or, for the authenticated call,
    was skipped); ``notes`` says why, never quoting the key.
    """

    service: str
    endpoint: str
    anonymous_status: int | None
    authenticated_status: int | None
    authenticated_skipped: bool
    verdict: Verdict
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether the service behaved like a private service."""
        return self.verdict is Verdict.passed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect as its status instead of following it.

    Following would send the key to wherever the redirect points, and a redirect answered to
    an anonymous call is not a refusal anyway.
    """

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def urllib_status(request: urllib.request.Request, timeout: float) -> int:
    """Send ``request`` with urllib and return the HTTP status, error statuses included."""
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


def parse_outputs(outputs: object, where: str) -> list[Endpoint]:
    """The services of ``pulumi stack output --json --show-secrets``, checked.

    Raises :class:`ConfigurationError` naming ``where`` and every bad key path; the messages
    never quote an ``api_key`` value.
    """
    if not isinstance(outputs, Mapping):
        raise ConfigurationError(where, [Problem("", "must be a JSON object of stack outputs")])
    services = outputs.get("services")
    if not isinstance(services, Mapping) or not services:
        raise ConfigurationError(
            where,
            [Problem("services", "missing or empty: expected the `services` stack output map")],
        )
    problems: list[Problem] = []
    endpoints: list[Endpoint] = []
    for name, entry in services.items():
        path = f"services.{name}"
        if not isinstance(entry, Mapping):
            problems.append(Problem(path, "must be an object with endpoint and api_key"))
            continue
        url = entry.get("endpoint")
        url_problem = _check_url(url)
        if url_problem:
            problems.append(Problem(f"{path}.endpoint", url_problem))
        key = entry.get("api_key")
        if key == SECRET_PLACEHOLDER:
            problems.append(
                Problem(
                    f"{path}.api_key",
                    "is masked; read the outputs with `pulumi stack output --json --show-secrets`",
                )
            )
        elif key is not None and (not isinstance(key, str) or not key):
            problems.append(Problem(f"{path}.api_key", "must be a string or null"))
        if not problems:
            endpoints.append(Endpoint(str(name), str(url), key))
    if problems:
        raise ConfigurationError(where, problems)
    return endpoints


def _check_url(url: object) -> str | None:
    """Why ``url`` cannot be called, or ``None`` when it can."""
    if not isinstance(url, str) or not url:
        return "must be a URL string"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a port that is no number raises here, not later inside http.client
    except ValueError:
        return "is not a valid URL"
    if not host:
        return "is not a valid URL (no host)"
    if "@" in parts.netloc or any(ord(char) < 33 or ord(char) == 127 for char in url):
        # Never printed nor sent: http.client would quote the credentials in its errors.
        return (
            "is not a plain URL: no credentials (user:password@), spaces or control characters;"
            " the API key is sent as a header"
        )
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
        return None
    return "must be an https:// URL (plain http only for localhost), or the key travels in clear"


def check_endpoint(endpoint: Endpoint, *, timeout: float, opener: Opener) -> CheckResult:
    """Call one endpoint without and with its key and judge the answers."""
    notes: list[str] = []
    anonymous, reason = _call(endpoint.url, None, timeout, opener)
    ok = True
    if anonymous is None:
        ok = False
        notes.append(f"anonymous call failed: {reason}")
    elif anonymous not in REJECTED_STATUSES:
        ok = False
        notes.append(f"anonymous call answered {anonymous}: the endpoint is not private")

    authenticated: int | None = None
    skipped = endpoint.api_key is None
    if skipped:
        notes.append("authenticated call skipped: api_key is null (key kept in Secret Manager)")
    else:
        authenticated, reason = _call(endpoint.url, endpoint.api_key, timeout, opener)
        if authenticated is None:
            ok = False
            notes.append(f"authenticated call failed: {reason}")
        elif authenticated in REJECTED_STATUSES:
            ok = False
            notes.append(f"authenticated call refused with {authenticated}: the key is not valid")
    if endpoint.api_key:
        # Belt and braces: no reason text (from urllib or a server) may carry the key.
        notes = [note.replace(endpoint.api_key, SECRET_PLACEHOLDER) for note in notes]
    return CheckResult(
        service=endpoint.service,
        endpoint=endpoint.url,
        anonymous_status=anonymous,
        authenticated_status=authenticated,
        authenticated_skipped=skipped,
        verdict=Verdict.passed if ok else Verdict.failed,
        notes=tuple(notes),
    )


def _call(
    url: str, key: str | None, timeout: float, opener: Opener
) -> tuple[int | None, str | None]:
    headers = {"User-Agent": "private-serverless-verify"}
    if key is not None:
        headers[AUTH_HEADER] = key
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        return opener(request, timeout), None
    except urllib.error.URLError as exc:
        return None, str(exc.reason)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # Timeouts, resets, malformed answers: the service did not answer; say which kind.
        return None, type(exc).__name__


def verify_outputs(
    outputs: Mapping[str, Any],
    *,
    timeout: float,
    opener: Opener = urllib_status,
    where: str = "stack outputs",
) -> list[CheckResult]:
    """Check every service of the stack outputs; see the module docstring for the rules.

    Raises :class:`ConfigurationError` (naming ``where``) when the outputs are not usable.
    """
    if not timeout > 0:
        raise ConfigurationError("--timeout", [Problem("", "must be a positive number")])
    endpoints = parse_outputs(outputs, where)
    return [check_endpoint(e, timeout=timeout, opener=opener) for e in endpoints]


def render_results(results: list[CheckResult]) -> str:
    """A plain table, one row per service, then the notes; never a key."""
    header = ("SERVICE", "ENDPOINT", "ANONYMOUS", "AUTHENTICATED", "VERDICT")
    rows = [header]
    for result in results:
        anonymous = _status_text(result.anonymous_status)
        authenticated = (
            "skipped" if result.authenticated_skipped else _status_text(result.authenticated_status)
        )
        rows.append(
            (result.service, result.endpoint, anonymous, authenticated, result.verdict.value)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    for result in results:
        lines.extend(f"{result.service}: {note}" for note in result.notes)
    passed = sum(result.passed for result in results)
    lines.append(f"{passed}/{len(results)} services passed")
    return "\n".join(lines) + "\n"


def _status_text(status: int | None) -> str:
    return "no answer" if status is None else str(status)
