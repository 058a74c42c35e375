"""Credentials recognised by their own shape, with Yelp's detect-secrets plugins.

Provider keys carry prefixes so that scanners can find them (``ghp_``, ``xoxb-``, ``AKIA``,
``sk_live_``...), JWTs and private keys have a fixed form, and ``scheme://user:pass@host`` is
basic auth. detect-secrets keeps those patterns up to date; each plugin's ``analyze_string``
scans one string with regular expressions only (no network: verification is never called).
Scaleway's own access keys (``SCW`` and 17 characters) are not among them, so they are added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detect_secrets.plugins.base import RegexBasedDetector

# Scaleway access keys: "SCW" followed by 17 upper-case letters or digits.
_SCW_ACCESS_KEY = re.compile(r"\bSCW[A-Z0-9]{17}\b")
# detect-secrets knows the usual private-key headers; an encrypted PKCS#8 key
# ("BEGIN ENCRYPTED PRIVATE KEY") is a private key too. Public blocks (certificates, public
# keys) are not secrets and are not matched.
_ANY_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----")


@cache
def _plugins() -> tuple[tuple[RegexBasedDetector, str], ...]:
    """The plugins and the kind each one reports (the messages name kinds, never values)."""
    # Imported on the first scan, not at the top: detect_secrets loads requests, a large part
    # of the cost of `import private_serverless`.
    from detect_secrets.plugins.artifactory import ArtifactoryDetector
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.basic_auth import BasicAuthDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    return (
        (PrivateKeyDetector(), "PEM block"),
        (JwtTokenDetector(), "JWT"),
        (BasicAuthDetector(), "URL with credentials"),
        (AWSKeyDetector(), "provider token (AWS)"),
        (GitHubTokenDetector(), "provider token (GitHub)"),
        (GitLabTokenDetector(), "provider token (GitLab)"),
        (SlackDetector(), "provider token (Slack)"),
        (StripeDetector(), "provider token (Stripe)"),
        (SendGridDetector(), "provider token (SendGrid)"),
        (NpmDetector(), "provider token (npm)"),
        (OpenAIDetector(), "provider token (OpenAI)"),
        (PypiTokenDetector(), "provider token (PyPI)"),
        (TwilioKeyDetector(), "provider token (Twilio)"),
        (DiscordBotTokenDetector(), "provider token (Discord)"),
        (TelegramBotTokenDetector(), "provider token (Telegram)"),
        (MailchimpDetector(), "provider token (Mailchimp)"),
        (SquareOAuthDetector(), "provider token (Square)"),
        (ArtifactoryDetector(), "provider token (Artifactory)"),
        (AzureStorageKeyDetector(), "provider token (Azure storage)"),
    )


#: The fewest characters any pattern of the plugins above matches (a JWT's ``eyJ`` and two
#: dots). Every plugin reports only matches of its patterns, so a shorter string has nothing
#: to report, and the plugins (and what they import) are not loaded for it.
#: tests/test_secret_detection_bounds.py derives it from the installed detect-secrets.
SHORTEST_PLUGIN_MATCH = 6


def detected_kinds(text: str) -> Iterator[str]:
    """The kind of each credential detect-secrets (or the Scaleway key pattern) finds in
    ``text``, most specific first; nothing for ordinary text."""
    if _ANY_PRIVATE_KEY.search(text):
        yield "PEM block"
    if _SCW_ACCESS_KEY.search(text):
        yield "Scaleway access key"
    if len(text) < SHORTEST_PLUGIN_MATCH:
        return
    for plugin, kind in _plugins():
        for _found in plugin.analyze_string(text):
            yield kind
            break


def detected_kind(text: str) -> str | None:
    """The first kind :func:`detected_kinds` finds in ``text``, or None."""
    return next(detected_kinds(text), None)
