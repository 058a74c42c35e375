"""CrossGuard policy pack of private-serverless.

Run it with ``pulumi preview --policy-pack policy`` (or ``pulumi up --policy-pack policy``).
The rules themselves live in ``private_serverless.policies`` so that the offline plan and the
``audit`` command apply exactly the same checks; this file only assembles the pack. Constructing
a ``PolicyPack`` starts the analyzer's gRPC server and never returns, so nothing imports it.

The stack's own ``policy`` and ``waivers`` (``private-serverless:policy``,
``private-serverless:waivers`` in ``Pulumi.<stack>.yaml``) are read from the configuration the
engine hands the analyzer, so the pack reports what the offline plan reports: a waived finding
as advisory with its reason and expiry, an expired waiver or one matching nothing under the
``waivers`` policy.

Per-policy settings go in a policy pack config file, for example::

    {"key-expiry": {"maxKeyLifetimeDays": 30}, "require-condition": {"requireCondition": true}}
"""

from private_serverless.policies.crossguard import (
    PackStack,
    build_policies,
    listen_for_stack_config,
)
from pulumi_policy import EnforcementLevel, PolicyPack

stack = PackStack()
listen_for_stack_config(stack)

PolicyPack(
    name="private-serverless",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(stack=stack),
)
