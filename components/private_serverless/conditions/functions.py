"""Scaleway's own CEL functions, as cel-python runs them: ``inIpRange(ip, subnet)``.

The simulator and the meaning analysis both evaluate conditions with these, so they live below
both.
"""

from __future__ import annotations

import ipaddress
from typing import Any


def in_ip_range(ip: Any, subnet: Any) -> Any:
    """Scaleway's ``inIpRange(ip, subnet)``: the address is inside the network."""
    from celpy import celtypes

    try:
        address = ipaddress.ip_address(str(ip))
        network = ipaddress.ip_network(str(subnet), strict=True)
    except ValueError as exc:
        # Returning (not raising) the error lets CEL's && and || absorb it like any other.
        from celpy.evaluation import CELEvalError

        return CELEvalError(f"inIpRange: {exc}")
    # An IPv4 address is never in an IPv6 network and vice versa; ipaddress answers False.
    return celtypes.BoolType(address in network)
