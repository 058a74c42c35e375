"""CrossGuard policy pack of private-serverless.

Run it with ``pulumi preview --policy-pack policy`` (or ``pulumi up --policy-pack policy``).
The rules themselves live in ``private_serverless.policies`` so that the offline plan and the
``audit`` command apply exactly the same checks; this file only assembles the pack. Constructing
a ``PolicyPack`` starts the analyzer's gRPC server and never returns, so nothing imports it.

Per-policy settings go in a policy pack config file, for example::

    {"key-expiry": {"maxKeyLifetimeDays": 30}, "require-condition": {"requireCondition": true}}
"""

from private_serverless.policies.crossguard import build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="private-serverless",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)
