"""A custom domain for a private service, with an optional CNAME in a Scaleway-managed zone.

Scaleway serves a function or container on a custom hostname once a CNAME record points the
hostname at the service's own domain name, and it checks that record when the domain is
added ("How to add a custom domain to a function / container":
https://www.scaleway.com/en/docs/serverless-functions/how-to/add-a-custom-domain-name-to-a-function/,
https://www.scaleway.com/en/docs/serverless-containers/how-to/add-a-custom-domain-to-a-container/).
With ``dns_zone`` the component creates that record (``scaleway:domain/record:Record``) in a
zone Scaleway Domains and DNS manages, and creates the domain only after it. The service
stays private: the custom hostname still needs an ``X-Auth-Token``.
"""

from __future__ import annotations

import re
from typing import Self

import pulumi
from pydantic import ConfigDict, InstanceOf, field_validator, model_validator

from ..core.models import ArgsModel

# Host names (RFC 1123 section 2.1, RFC 1035 section 2.3.4): labels of 1-63 letters, digits and
# hyphens, not starting or ending with a hyphen, at most 253 characters in all. Lowercase only,
# so the name Scaleway stores and the one given never differ. A public name has at least two
# labels and its last label (the top-level domain) is not numeric.
HOSTNAME_MAX_LENGTH = 253
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def check_hostname(hostname: str) -> str:
    """Raise ``ValueError`` unless ``hostname`` is a lowercase RFC 1123 host name."""
    allowed = (
        "a host name: at most 253 characters, dot-separated labels of 1 to 63 lowercase "
        "letters, digits and hyphens (not at either end), at least two labels"
    )
    labels = hostname.split(".")
    if (
        len(hostname) > HOSTNAME_MAX_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValueError(f"must be {allowed}")
    return hostname


class CustomDomainArgs(ArgsModel):
    """A custom hostname for the service."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        defer_build=True,
        arbitrary_types_allowed=True,
    )

    hostname: str
    """The host name callers use (``billing.example.com``); the service's ``endpoint`` output
    becomes ``https://<hostname>`` once the domain exists."""

    dns_zone: str | InstanceOf[pulumi.Output] | None = None  # type: ignore[type-arg]
    """A DNS zone managed by Scaleway Domains and DNS that holds ``hostname``
    (``example.com``): the component creates the CNAME record there first. Without it, create
    the record yourself before deploying (Scaleway refuses a domain whose CNAME is missing).
    A string, or the Output of a zone created in the same program (``zone.domain`` joined
    with its subdomain), which keeps the record's dependency on it."""

    @field_validator("hostname", "dns_zone")
    @classmethod
    def _check_names(cls, value: object) -> object:
        return check_hostname(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_zone(self) -> Self:
        if not isinstance(self.dns_zone, str):
            return self  # an Output's zone is checked when it is known
        if self.hostname == self.dns_zone:
            # RFC 1034 section 3.6.2: a CNAME cannot sit at a zone apex beside SOA and NS.
            raise ValueError("hostname is the zone itself; a CNAME needs a name below the zone")
        if not self.hostname.endswith("." + self.dns_zone):
            raise ValueError("hostname is not in dns_zone")
        return self

    @property
    def record_name(self) -> pulumi.Input[str]:
        """The record's name relative to the zone (``billing`` for billing.example.com)."""
        assert self.dns_zone is not None
        if isinstance(self.dns_zone, str):
            return self.hostname.removesuffix("." + self.dns_zone)
        hostname = self.hostname
        return pulumi.Output.from_input(self.dns_zone).apply(
            lambda zone: _record_name(hostname, zone)
        )


def _record_name(hostname: str, zone: object) -> str:
    # An Output's zone, known at last (pulumi up): the rules a string zone is checked by.
    if not isinstance(zone, str) or not hostname.endswith("." + zone):
        raise ValueError("domain.dns_zone (an Output): hostname is not in the zone it gave")
    return hostname.removesuffix("." + zone)
