"""Queue triggers: a Scaleway Queues (SQS) queue or a NATS subject invokes the service.

What the consumer needs differs by kind, as the installed provider's schemas show:

- **Functions** (``scaleway:functions/trigger:Trigger``): the trigger names the queue (SQS:
  queue name and the project where SQS is activated; NATS: account and subject). It takes no
  credential at all: the platform creates and holds the consumer's credentials itself, so the
  component creates none.
- **Containers** (``scaleway:containers/trigger:Trigger``, Containers API v1): the trigger
  takes the queue URL, the SQS endpoint and an access/secret key pair, or a NATS credentials
  file and server URLs. The component creates ``scaleway:mnq/sqsCredentials:SqsCredentials``
  with **receive only** (``can_receive``; no publish, no manage): the trigger reads and deletes
  messages and can do nothing else with the queue (Queues credentials are granular:
  https://www.scaleway.com/en/docs/queues/how-to/create-credentials/). NATS credentials are
  not granular (full read and write on the account, same page), so a container fed by NATS
  gets a credentials file that can also publish: give such a worker a NATS account of its own.

The access and secret keys are secret outputs of the credentials resource (the SDK marks them
``additional_secret_outputs``) and reach the trigger only as secrets.
"""

from __future__ import annotations

import re
from typing import Annotated, Self
from urllib.parse import urlsplit

import pulumi
from pydantic import AfterValidator, ConfigDict, Field, InstanceOf, model_validator

from ..core import limits
from ..core.models import ArgsModel
from .schedules import HttpMethod

_STRICT = ConfigDict(
    frozen=True,
    extra="forbid",
    hide_input_in_errors=True,
    defer_build=True,
    arbitrary_types_allowed=True,
)

# Queue URLs as Scaleway Queues gives them: https://sqs.mnq.<region>.scaleway.com/project-<project
# id>/<queue name> (Queues quickstart, https://www.scaleway.com/en/docs/queues/quickstart/).
# Queue names follow SQS: 1-80 letters, digits, hyphens and underscores, ".fifo" for FIFO queues.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SQS_QUEUE_URL_PATTERN = (
    rf"^https://sqs\.mnq\.(?P<region>[a-z]{{2}}-[a-z]{{3}})\.scaleway\.com/project-"
    rf"(?P<project>{_UUID})/(?P<queue>[A-Za-z0-9_-]{{1,80}}(?:\.fifo)?)$"
)
# A NATS account ID, as the provider returns it: a UUID, optionally with its region prefix.
NATS_ACCOUNT_ID_PATTERN = rf"^(?:[a-z]{{2}}-[a-z]{{3}}/)?{_UUID}$"
# NATS subjects: tokens separated by dots, no whitespace; wildcards * and > are allowed in a
# subscription (https://docs.nats.io/nats-concepts/subjects).
NATS_SUBJECT_PATTERN = r"^[^\s.]+(?:\.[^\s.]+)*$"


def _check_queue_url(url: str) -> str:
    if len(url) > 256 or not re.match(SQS_QUEUE_URL_PATTERN, url):
        raise ValueError(
            "must be a Scaleway Queues URL: https://sqs.mnq.<region>.scaleway.com/"
            "project-<project id>/<queue name> (letters, digits, - and _, .fifo for FIFO)"
        )
    return url


def _check_account_id(value: str) -> str:
    if not re.match(NATS_ACCOUNT_ID_PATTERN, value):
        raise ValueError("must be a NATS account ID: a UUID or <region>/<uuid>")
    return value


class SqsQueue(ArgsModel):
    """A queue of Scaleway Queues (SQS)."""

    model_config = _STRICT

    queue_url: (
        Annotated[str, AfterValidator(_check_queue_url)] | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
    )
    """The queue's URL, ``https://sqs.mnq.<region>.scaleway.com/project-<id>/<queue>`` (the
    console and ``scaleway:mnq/sqsQueue:SqsQueue``'s ``url`` give it): a string, or the
    Output of a queue created in the same program (``queue.url``), which keeps the trigger's
    dependency on the queue. An Output's URL is checked when it is known."""

    def _part(self, name: str) -> pulumi.Input[str]:
        url = self.queue_url
        if isinstance(url, str):
            match = re.match(SQS_QUEUE_URL_PATTERN, url)
            assert match is not None  # guaranteed by the field's pattern
            return match[name]
        return pulumi.Output.from_input(url).apply(lambda known: _url_part(known, name))

    @property
    def region(self) -> pulumi.Input[str]:
        """The region of the queue."""
        return self._part("region")

    @property
    def project_id(self) -> pulumi.Input[str]:
        """The project where SQS is activated and the queue lives."""
        return self._part("project")

    @property
    def queue_name(self) -> pulumi.Input[str]:
        """The queue's name, the last part of its URL."""
        return self._part("queue")

    @property
    def endpoint(self) -> pulumi.Input[str]:
        """The SQS endpoint of the queue's region."""
        url = self.queue_url
        if isinstance(url, str):
            return _endpoint(url)
        return pulumi.Output.from_input(url).apply(lambda known: _endpoint(_checked_url(known)))


def _checked_url(url: object) -> str:
    # An Output's URL, known at last (pulumi up): the same rule as a string's.
    if not isinstance(url, str):
        raise ValueError("queues.<key>.sqs.queue_url: the Output gave no URL")
    try:
        return _check_queue_url(url)
    except ValueError as exc:
        raise ValueError(f"queues.<key>.sqs.queue_url (an Output): {exc}") from None


def _url_part(url: object, name: str) -> str:
    match = re.match(SQS_QUEUE_URL_PATTERN, _checked_url(url))
    assert match is not None
    return match[name]


def _endpoint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class NatsSubject(ArgsModel):
    """A subject of a Scaleway NATS account."""

    model_config = _STRICT

    account_id: (
        Annotated[str, AfterValidator(_check_account_id)] | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
    )
    """The NATS account (``scaleway:mnq/natsAccount:NatsAccount``'s ``id``): a string or that
    resource's Output, which keeps the dependency."""

    subject: Annotated[str, Field(pattern=NATS_SUBJECT_PATTERN, max_length=255)]
    """The subject to receive from (``orders.created``)."""

    region: limits.Region | None = None
    """Region of the NATS account; defaults to the region in ``account_id``, else the
    service's region."""

    @property
    def account_region(self) -> str | None:
        """The region written in ``account_id`` or ``region``, if any (an Output's is not
        known before it is created: give ``region``, or the service's)."""
        if not isinstance(self.account_id, str):
            return self.region
        prefix, slash, _ = self.account_id.partition("/")
        return self.region or (prefix if slash else None)


class QueueTriggerArgs(ArgsModel):
    """Messages from one queue or subject invoke the service, one invocation per message."""

    model_config = _STRICT

    sqs: SqsQueue | None = None
    """A Scaleway Queues queue."""

    nats: NatsSubject | None = None
    """A Scaleway NATS subject."""

    path: Annotated[str, Field(pattern=r"^/[^\s?#]*$", max_length=1024)] = "/"
    """Containers only: the path each message is sent to."""

    http_method: HttpMethod | None = None
    """Containers only: the HTTP method each message is sent with (``post`` when unset); a
    function's trigger has no method (``functions.Trigger`` takes none)."""

    description: Annotated[str, Field(max_length=255)] | None = None
    """Shown in the Scaleway console."""

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.sqs is None) == (self.nats is None):
            raise ValueError("give exactly one source: sqs (a queue) or nats (a subject)")
        if (
            self.nats is not None
            and self.nats.region is not None
            and isinstance(self.nats.account_id, str)
            and "/" in self.nats.account_id
            and not self.nats.account_id.startswith(self.nats.region + "/")
        ):
            raise ValueError("nats.region differs from the region in nats.account_id")
        return self

    def source_label(self) -> str:
        """What feeds the service, for the plan: ``sqs queue orders`` or ``nats subject x``."""
        if self.sqs is not None and not isinstance(self.sqs.queue_url, str):
            return "the SQS queue of the given Output (its URL is known after it is created)"
        if self.sqs is not None:
            return f"SQS queue {self.sqs.queue_name} (project {self.sqs.project_id})"
        assert self.nats is not None
        return f"NATS subject {self.nats.subject}"
