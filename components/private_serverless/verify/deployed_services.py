"""Check deployed private services from their stack outputs: is each one really private?

After ``pulumi up``, each service's endpoint is called twice: without ``X-Auth-Token`` (the
platform must refuse: 401 or 403) and with the service's API key (it must not refuse; any other
status, even 404 or 500, means the key was accepted and the request reached the code). The key
is sent, never shown: results, notes and errors carry only statuses and reasons.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from ..core.inventory import SECRET_PLACEHOLDER
from ..errors import ConfigurationError, Problem, hide_on_user_error

__tracebackhide__ = hide_on_user_error

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


#: What an API key sent as a header value may hold (RFC 9110 visible characters).
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Endpoint:
    """One service to check, as read from the stack outputs."""

    service: str
    url: str
    api_key: str | None  # None: the key lives in Secret Manager, not in the outputs
    key_secret_id: str | None = None  # the Secret Manager secret holding it ("region/uuid")
    public: bool = False  # public on purpose (privacy public): it has no key to test


class KeyUnavailable(Exception):
    """The key could not be read; the message says why, never quoting a credential."""


#: Reads a service's API key from its Secret Manager secret id. Injected by tests; the default
#: is :func:`secret_manager_reader` (the official ``scaleway`` SDK).
KeyReader = Callable[[str], str]


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
        elif isinstance(key, str) and not _HEADER_VALUE.fullmatch(key):
            # Sent as the X-Auth-Token header: a line break or a non-ASCII character cannot be.
            problems.append(
                Problem(
                    f"{path}.api_key",
                    "must be printable ASCII without spaces, as an IAM secret key (a UUID) is",
                )
            )
        secret_id = entry.get("key_secret_id")
        if secret_id is not None and (not isinstance(secret_id, str) or not secret_id):
            problems.append(Problem(f"{path}.key_secret_id", "must be a string or null"))
        public = entry.get("privacy") == "public"
        if not problems:
            endpoints.append(Endpoint(str(name), str(url), key, secret_id, public))
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


def _check_public(endpoint: Endpoint, *, timeout: float, opener: Opener) -> CheckResult:
    """A service public on purpose must answer a call without a key (there is none)."""
    anonymous, reason = _call(endpoint.url, None, timeout, opener)
    ok = anonymous is not None and anonymous not in REJECTED_STATUSES
    if ok:
        note = "public on purpose: answers without a key"
    elif anonymous is None:
        note = f"public on purpose, but the anonymous call failed: {reason}"
    else:
        note = f"public on purpose, but the anonymous call was refused with {anonymous}"
    return CheckResult(
        service=endpoint.service,
        endpoint=endpoint.url,
        anonymous_status=anonymous,
        authenticated_status=None,
        authenticated_skipped=True,
        verdict=Verdict.passed if ok else Verdict.failed,
        notes=(note,),
    )


def check_endpoint(
    endpoint: Endpoint,
    *,
    timeout: float,
    opener: Opener,
    key_reader: KeyReader | None = None,
) -> CheckResult:
    """Call one endpoint without and with its key and judge the answers.

    A key kept in Secret Manager is read with ``key_reader`` and tested like any other; a key
    that cannot be read or that is not there fails the check: an untested key is no pass.
    """
    if endpoint.public:
        return _check_public(endpoint, timeout=timeout, opener=opener)
    if endpoint.api_key is None:
        key, problem = _read_key(endpoint, key_reader)
        if key is None:
            anonymous, reason = _call(endpoint.url, None, timeout, opener)
            untested = [problem]
            if anonymous is None:
                untested.insert(0, f"anonymous call failed: {reason}")
            elif anonymous not in REJECTED_STATUSES:
                untested.insert(
                    0, f"anonymous call answered {anonymous}: the endpoint is not private"
                )
            return CheckResult(
                service=endpoint.service,
                endpoint=endpoint.url,
                anonymous_status=anonymous,
                authenticated_status=None,
                authenticated_skipped=True,
                verdict=Verdict.failed,
                notes=tuple(untested),
            )
        endpoint = Endpoint(endpoint.service, endpoint.url, key, endpoint.key_secret_id)
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


def _read_key(endpoint: Endpoint, key_reader: KeyReader | None) -> tuple[str | None, str]:
    """The key of a service whose outputs hold none, or (None, why it cannot be tested)."""
    if endpoint.key_secret_id is None:
        return None, "no key to test: api_key and key_secret_id are both null"
    if key_reader is None:
        return None, "the key is in Secret Manager and no reader was given"
    try:
        key = key_reader(endpoint.key_secret_id)
    except KeyUnavailable as exc:
        return None, f"cannot read the key from Secret Manager: {exc}"
    if not key:
        return None, "the Secret Manager secret holds an empty key"
    return key, ""


def secret_manager_reader(environ: Mapping[str, str]) -> KeyReader:
    """A :data:`KeyReader` using the official ``scaleway`` SDK, configured from ``SCW_*``.

    ``SCW_ACCESS_KEY`` / ``SCW_SECRET_KEY`` authenticate, ``SCW_API_URL`` points elsewhere than
    https://api.scaleway.com (tests use a server on 127.0.0.1). The latest version of the secret
    is the active key: each new key writes a new version (the provider's ``secret_id``).
    """
    import base64
    import binascii
    import logging

    import requests
    from scaleway import Client, ScalewayException
    from scaleway.secret.v1beta1 import SecretV1Beta1API

    # The SDK logs requests and responses at DEBUG; a response here is the key itself.
    logging.getLogger("scaleway").setLevel(logging.WARNING)
    access_key = environ.get("SCW_ACCESS_KEY", "")
    secret_key = environ.get("SCW_SECRET_KEY", "")
    api_url = environ.get("SCW_API_URL", "https://api.scaleway.com").rstrip("/")
    host = urlsplit(api_url).hostname or ""

    def read(secret_id: str) -> str:
        if not access_key or not secret_key:
            raise KeyUnavailable("SCW_ACCESS_KEY and SCW_SECRET_KEY must be set")
        region, _, uuid = secret_id.rpartition("/")
        client = Client(
            access_key=access_key,
            secret_key=secret_key,
            api_url=api_url,
            default_region=region or environ.get("SCW_DEFAULT_REGION", "fr-par"),
        )
        if urlsplit(api_url).scheme != "https" and host not in LOCAL_HOSTS:
            raise KeyUnavailable("SCW_API_URL must be https:// (plain http only for localhost)")
        try:
            api = SecretV1Beta1API(client)  # checks the credentials' format
        except ValueError:
            # The SDK's own message quotes the credentials: never repeat it.
            raise KeyUnavailable(
                "SCW_ACCESS_KEY / SCW_SECRET_KEY are not Scaleway credentials (SCW... access "
                "key, UUID secret key)"
            ) from None
        try:
            response = api.access_secret_version(secret_id=uuid, revision="latest_enabled")
            return base64.b64decode(response.data, validate=True).decode().strip()
        except ScalewayException as exc:
            raise KeyUnavailable(f"Secret Manager answered {exc.status_code}") from None
        except (binascii.Error, UnicodeDecodeError, TypeError):
            raise KeyUnavailable("the secret's payload is not a key") from None
        except (requests.RequestException, ValueError) as exc:
            raise KeyUnavailable(f"Secret Manager unreachable ({type(exc).__name__})") from None

    return read


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
    key_reader: KeyReader | None = None,
) -> list[CheckResult]:
    """Check every service of the stack outputs; see the module docstring for the rules.

    Raises :class:`ConfigurationError` (naming ``where``) when the outputs are not usable.
    """
    if not timeout > 0:
        raise ConfigurationError("--timeout", [Problem("", "must be a positive number")])
    endpoints = parse_outputs(outputs, where)
    return [
        check_endpoint(e, timeout=timeout, opener=opener, key_reader=key_reader) for e in endpoints
    ]


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
