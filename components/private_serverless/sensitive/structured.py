"""Credentials inside structured plain values, and where inside the value each one sits.

A plain value is rarely one opaque string: it is a URL (``postgres://u:p@h``,
``jdbc:postgresql://h/db?user=u&password=p``), a libpq or ODBC connection string
(``host=h password=p``, ``Server=h;Pwd=p``), a header list (``OTEL_EXPORTER_OTLP_HEADERS`` as
``k=v,Authorization=Bearer t``), a JSON or YAML document, or a command line
(``--db-password=p``, ``--token t``, ``curl -H "Authorization: Bearer t"``). Each scanner here
reads one of those shapes and reports *where* a credential sits (``URL query parameter
password``, ``$.db.password``, ``--token``) and what kind it is, never the credential.

Every plain slot (plain environment variables, container command and arguments, schedule
arguments) is scanned with :func:`scan_text`, :func:`scan_words` or :func:`scan_document`.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from .credential_keys import AUTH_SCHEMES, credential_key, holds_no_credential
from .detectors import detected_kinds
from .names import allowed_names, strong_credential_name

#: Longest text a document parser reads: longer values are still scanned as text. Plain
#: environment values are at most 1000 characters at Scaleway; JSON arguments may be longer.
MAX_DOCUMENT_LENGTH = 65_536
#: Deepest nesting the document walk follows (deeper parts are still scanned as text).
MAX_DEPTH = 32


@dataclass(frozen=True, order=True)
class Hit:
    """A credential found inside a value: where it sits and what it looks like."""

    where: str
    """The place inside the value (``URL query parameter password``, ``$.db.password``,
    ``--token``); empty for the value as a whole. Never the credential, and never quoted
    (error messages cut quoted text that comes from the input)."""

    kind: str
    """What it looks like (``credential in a URL``, ``JWT``...)."""

    def describe(self) -> str:
        """``kind`` with ``where``, for an error message or a finding."""
        return f"{self.kind} ({self.where})" if self.where else self.kind


# --- names shown in messages ---------------------------------------------------------------

_SHOWABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")


def _shown(key: str) -> str:
    """A key as a message may show it: keys are names, but a value pasted where a key was
    expected must not be echoed, so anything that is not a short identifier is elided."""
    return key if _SHOWABLE.match(key) else "<key>"


# --- URLs -----------------------------------------------------------------------------------

# scheme://userinfo@host..., including scheme chains (jdbc:postgresql://) and redis://:pw@h.
_URL = re.compile(
    r"(?<![A-Za-z0-9+.\-])(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*(?::[A-Za-z][A-Za-z0-9+.\-]*)*)://"
    r"(?:(?P<user>[^\s/?#@:]*)(?::(?P<password>[^\s/?#@]*))?@)?"
    r"(?P<rest>[^\s\"'<>]*)"
)


def _url_hits(text: str) -> Iterator[Hit]:
    for match in _URL.finditer(text):
        password = match.group("password")
        user = match.group("user")
        if password is not None and not holds_no_credential(password):
            yield Hit("URL password", "credential in a URL")
        elif user and password is None and _opaque_token(user):
            # https://<token>@host: a token as the user name (GitHub, GitLab clone URLs).
            yield Hit("URL user name", "credential in a URL")
        rest = match.group("rest")
        _, question, query = rest.partition("?")
        if question:
            query = query.partition("#")[0]
            for pair in re.split(r"[&;]", query):
                key, equals, value = pair.partition("=")
                if equals and credential_key(key) and not holds_no_credential(value):
                    yield Hit(f"URL query parameter {_shown(key)}", "credential in a URL")


def _opaque_token(word: str) -> bool:
    """A user name that is a token: long, of mixed letters and digits (``ghp_...``)."""
    return (
        len(word) >= 20
        and any(c.isdigit() for c in word)
        and any(c.isalpha() for c in word)
        and re.fullmatch(r"[A-Za-z0-9_\-.~%]+", word) is not None
    )


# --- key=value and key: value pairs ---------------------------------------------------------

# A key, optionally quoted or flag-dashed, then = or : (DSNs, query strings, header lists,
# "Authorization: Basic ...", YAML-like "password: x", JSON-like "password": "x").
_PAIR = re.compile(
    r"(?<![A-Za-z0-9_\-./@])(?P<dashes>-{0,2})[\"']?(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)[\"']?"
    r"[ \t]*(?P<op>:=|=>|=|:)(?![/=:])[ \t]*"
)
_QUOTED = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'")
_BARE = re.compile(r"[^\s,;&\"'`)\]}]*")
# A reference to a credential kept elsewhere, read whole although it holds separators.
_REFERENCE_AT = re.compile(r"\$\{[^}\s]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|%\([^)]*\)s")


def _pair_value(text: str, start: int) -> str:
    """The value that starts at ``start``: quoted, or up to the next separator; an auth
    scheme word (``Bearer``) takes the word after it too."""
    quoted = _QUOTED.match(text, start)
    if quoted:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    bare = _REFERENCE_AT.match(text, start) or _BARE.match(text, start)
    value = bare.group(0) if bare else ""
    if value.lower() in AUTH_SCHEMES:
        gap = re.compile(r"[ \t]+").match(text, start + len(value))
        if gap:
            after = _REFERENCE_AT.match(text, gap.end()) or _BARE.match(text, gap.end())
            if after and after.group(0):
                value = f"{value} {after.group(0)}"
    return value


def _pair_hits(text: str) -> Iterator[Hit]:
    for match in _PAIR.finditer(text):
        key = match.group("key")
        if not credential_key(key):
            continue
        value = _pair_value(text, match.end())
        if holds_no_credential(value):
            continue
        if match.group("op") == ":" and "." in key and value.isdigit():
            continue  # host.name:port
        dashes = match.group("dashes")
        if dashes == "-" and not _SHORT_NAME.match(key):
            # -pS3cret=x: a short flag with its value glued on; the "key" holds the value.
            yield Hit("-" + key[:1], "credential in a command-line flag")
        elif dashes:
            yield Hit(f"{dashes}{_shown(key)}", "credential in a command-line flag")
        elif match.group("op") == ":" and key.lower().endswith("authorization"):
            yield Hit(f"{_shown(key)} header", "credential in an HTTP header")
        else:
            yield Hit(f"{_shown(key)}= pair", "credential in a key=value pair")


# --- authorization headers written without a key --------------------------------------------

_BEARER = re.compile(r"\b(?:Bearer|Token)[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)")
_BASIC = re.compile(r"\bBasic[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])")


def _header_hits(text: str) -> Iterator[Hit]:
    for match in _BEARER.finditer(text):
        token = match.group(1)
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            yield Hit("Bearer credential", "credential in an HTTP header")
            break
    for match in _BASIC.finditer(text):
        if _basic_credentials(match.group(1)):
            yield Hit("Basic credential", "credential in an HTTP header")
            break


def _basic_credentials(encoded: str) -> bool:
    """True when ``encoded`` is base64 of ``user:password`` (a Basic authorization)."""
    import base64
    import binascii

    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        user_pass = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return ":" in user_pass and user_pass.isprintable()


# --- command lines --------------------------------------------------------------------------

_FLAG = re.compile(r"^(-{1,2})([A-Za-z][A-Za-z0-9_\-.]*)$")
# Clients that take a password as -p<password> glued to the flag (mysql -pS3cret).
_GLUED_PASSWORD_PROGRAMS = frozenset(
    {"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlshow", "mariadb", "mariadb-dump"}
)
# Clients whose short flag takes the next word as a password or user:password.
_SHORT_PASSWORD_FLAGS = {
    "redis-cli": {"-a"},
    "sshpass": {"-p"},
    "mongosh": {"-p"},
    "mongo": {"-p"},
}
_USER_PASSWORD_FLAGS = {"curl": {"-u", "--user", "--proxy-user"}, "wget": {"--user"}}


def _flag(word: str) -> re.Match[str] | None:
    """A flag word: ``--name``, or ``-name`` in lower case (Go style). A single dash followed
    by mixed case or digits is a short flag with its value glued on (``-pS3cret``), whose
    name must never be shown."""
    flag = _FLAG.match(word)
    if flag and len(flag.group(1)) == 1 and not _SHORT_NAME.match(flag.group(2)):
        return None
    return flag


_SHORT_NAME = re.compile(r"^[a-z][a-z_\-]*$")


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _word_hits(words: Sequence[str]) -> Iterator[Hit]:
    """Credentials passed as flags of a command line, one argument per word."""
    programs = {_program(w) for w in words}
    short_password = set().union(*(_SHORT_PASSWORD_FLAGS.get(p, set()) for p in programs))
    user_password = set().union(*(_USER_PASSWORD_FLAGS.get(p, set()) for p in programs))
    glued = bool(programs & _GLUED_PASSWORD_PROGRAMS)
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        flag = _flag(word)
        if flag and following is not None and not following.startswith("-"):
            name = flag.group(2)
            if credential_key(name) or word in short_password:
                if not holds_no_credential(following):
                    yield Hit(f"{flag.group(1)}{_shown(name)}", "credential in a command-line flag")
                continue
            if word in user_password and _user_password(following):
                yield Hit(word, "credential in a command-line flag")
                continue
        glued_password = glued and word.startswith("-p") and len(word) > 2 and word[2] != "-"
        if glued_password and not holds_no_credential(word[2:]):
            yield Hit("-p", "credential in a command-line flag")
        for long_flag in user_password:
            if word.startswith(f"{long_flag}=") and _user_password(word.partition("=")[2]):
                yield Hit(long_flag, "credential in a command-line flag")


def _user_password(value: str) -> bool:
    _, colon, password = value.partition(":")
    return bool(colon) and not holds_no_credential(password)


def _shell_words(text: str) -> list[str] | None:
    """``text`` split as a shell would, or None when it is one word (nothing to split)."""
    if not any(c.isspace() for c in text):
        return None
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


# --- JSON and YAML documents ----------------------------------------------------------------


def _parse_document(text: str) -> Any:
    """The JSON or YAML document ``text`` holds, or None when it holds a plain scalar."""
    stripped = text.strip()
    if len(stripped) > MAX_DOCUMENT_LENGTH or not stripped:
        return None
    if stripped[0] in "{[":
        try:
            return json.loads(stripped)
        except (ValueError, RecursionError):
            pass
    # One line of "key: value" is read by the pair scanner; a YAML document is a block of
    # lines or a flow collection. Reading any line as YAML would take prose for mappings.
    if "\n" not in stripped and stripped[0] not in "{[":
        return None
    return _yaml_document(stripped)


def _yaml_document(text: str) -> Any:
    """The YAML document as plain data, read node by node so that aliases cannot expand it
    (an alias is read once: a "billion laughs" document stays as small as its text)."""
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(root, yaml.MappingNode | yaml.SequenceNode):
        return None
    seen: set[int] = set()

    def plain(node: yaml.Node, depth: int) -> Any:
        if id(node) in seen or depth > MAX_DEPTH:
            return None
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return {
                str(k.value) if isinstance(k, yaml.ScalarNode) else "<key>": plain(v, depth + 1)
                for k, v in node.value
            }
        if isinstance(node, yaml.SequenceNode):
            return [plain(item, depth + 1) for item in node.value]
        return str(node.value)

    return plain(root, 0)


def _document_hits(
    document: Any, path: str, depth: int = 0, allowed: frozenset[str] = frozenset()
) -> Iterator[Hit]:
    if depth > MAX_DEPTH:
        if isinstance(document, Mapping | list) and document:
            # Not followed further, so not judged: refused rather than let through.
            yield Hit(path, f"document nested deeper than {MAX_DEPTH} levels, not judged")
        elif isinstance(document, str):
            yield from (
                Hit(f"{path} {hit.where}".strip(), hit.kind) for hit in _text_hits(document, depth)
            )
        return
    if isinstance(document, Mapping):
        for key, item in document.items():
            where = f"{path}.{_shown(str(key))}"
            if credential_key(str(key)) and _holds_credential(item) and not _released(key, allowed):
                yield Hit(where, "credential in a document field")
            else:
                # A released key's value is still scanned, as a plain variable's is.
                yield from _document_hits(item, where, depth + 1, allowed)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from _document_hits(item, f"{path}[{index}]", depth + 1, allowed)
    elif isinstance(document, str):
        for hit in _text_hits(document, depth + 1):
            yield Hit(f"{path} {hit.where}".strip(), hit.kind)


def _holds_credential(item: Any, depth: int = 0) -> bool:
    """A document field's value that is a credential: a non-empty string or number (a PIN),
    or a structure that holds one; not a boolean (``"auth": true``) nor null. A structure
    deeper than the walk follows is taken for one (not judged, so not let through)."""
    if isinstance(item, str):
        return not holds_no_credential(item)
    if isinstance(item, bool | int | float) or item is None:
        return isinstance(item, int | float) and not isinstance(item, bool)
    parts = item.values() if isinstance(item, Mapping) else item if isinstance(item, list) else ()
    if depth > MAX_DEPTH:
        return bool(parts)
    return any(_holds_credential(part, depth + 1) for part in parts)


# --- entry points ---------------------------------------------------------------------------


def _text_hits(text: str, depth: int = 0) -> Iterator[Hit]:
    for kind in detected_kinds(text):
        yield Hit("", kind)
    yield from _url_hits(text)
    yield from _header_hits(text)
    words = _shell_words(text)
    if words is not None:
        yield from _word_hits(words)
    document = _parse_document(text) if depth < MAX_DEPTH else None
    if document is not None:
        # The document's walk reads every key and scans every string inside it.
        yield from _document_hits(document, "$", depth + 1)
    else:
        yield from _pair_hits(text)


def _unique(hits: Iterator[Hit]) -> list[Hit]:
    return sorted(set(hits))


def scan_text(text: str) -> list[Hit]:
    """Every credential found inside the string ``text`` (a plain value), by place."""
    return _unique(_text_hits(text))


def scan_words(words: Sequence[str]) -> list[Hit]:
    """Every credential found in a command line given word by word (a container's ``command``
    or ``args``): flags with their following word, then each word as text."""
    hits = list(_word_hits(words))
    for word in words:
        hits.extend(_text_hits(word))
    return _unique(iter(hits))


def _released(key: object, allowed: frozenset[str]) -> bool:
    """A key the allow-list names (case-insensitively), unless it names a credential beyond
    doubt (``password``): the same rule as for plain variable names, on the key's words and on
    its letters run together (``passWord`` is a password, not "pass" and "word")."""
    name = str(key)
    return name.upper() in allowed and not strong_credential_name(name)


def scan_document(document: Any, allowed: Iterable[str] = ()) -> list[Hit]:
    """Every credential found in parsed JSON-like data (schedule arguments), at any depth:
    fields whose key names a credential, and credentials inside its strings.

    ``allowed`` (the service's ``allowed_plain_names``) releases keys that only look like a
    credential's (``page_token``); what they hold is still scanned."""
    return _unique(_document_hits(document, "$", allowed=allowed_names(allowed)))
