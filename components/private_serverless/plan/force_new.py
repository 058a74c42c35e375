"""Inputs whose change makes the Scaleway provider replace a resource instead of updating it.

The provider is the Terraform provider ``scaleway/terraform-provider-scaleway`` bridged to Pulumi;
an attribute marked ``ForceNew: true`` in its schema turns a change into a replacement. The sets
below were read from that repository's resource schemas (the file and commit are named for
each). Two helpers mark inputs force-new on every resource that uses them:
``regional.Schema()`` makes ``region`` force-new (internal/locality/regional/schemas.go
@ 067801a3) and ``account.ProjectIDSchema()`` makes ``project_id`` force-new
(internal/services/account/schemas.go @ 11e80641). No resource here uses a conditional
force-new (``CustomizeDiff`` only checks localities). Force-new sets change between provider
versions (the container's ``namespace_id`` became force-new in the v1 rewrite), so this table
follows the newest stored schema of each file.
"""

from __future__ import annotations

from collections.abc import Mapping

FORCE_NEW: Mapping[str, frozenset[str]] = {
    # internal/services/function/namespace.go @ 027ee94c
    "scaleway:functions/namespace:Namespace": frozenset(
        {"name", "activateVpcIntegration", "region", "projectId"}
    ),
    # internal/services/function/function.go @ 027ee94c
    "scaleway:functions/function:Function": frozenset(
        {"namespaceId", "name", "region", "projectId"}
    ),
    # internal/services/container/namespace.go @ 85426a2b
    "scaleway:containers/namespace:Namespace": frozenset({"name", "region", "projectId"}),
    # internal/services/container/container.go (v1 API schema): no project_id attribute
    "scaleway:containers/container:Container": frozenset({"name", "namespaceId", "region"}),
    # internal/services/iam/application.go @ 0fa15ed5: everything updates in place
    "scaleway:iam/application:Application": frozenset(),
    # internal/services/iam/api_key.go @ c220b2ac. ``secretId`` is not in that version's schema;
    # it is counted as force-new because an API key's secret exists only in the response that
    # creates the key, so writing it to another secret needs a new key.
    "scaleway:iam/apiKey:ApiKey": frozenset(
        {"expiresAt", "applicationId", "defaultProjectId", "secretId"}
    ),
    # internal/services/iam/policy.go @ 2ec0a9a5: rules and principal update in place
    "scaleway:iam/policy:Policy": frozenset(),
    # internal/services/iam/group.go @ d732e0eb: members update in place
    "scaleway:iam/group:Group": frozenset(),
    # internal/services/secret/secret.go @ 089d3e6c
    "scaleway:secrets/secret:Secret": frozenset({"type", "region", "projectId"}),
    # internal/services/account/project.go @ 24e399d5
    "scaleway:account/project:Project": frozenset({"organizationId"}),
    # internal/services/function/cron.go and container/cron.go @ 0fa15ed5
    "scaleway:functions/cron:Cron": frozenset({"region"}),
    "scaleway:containers/cron:Cron": frozenset({"region"}),
    # internal/services/function/trigger.go @ 1b05ae5b, container/trigger.go @ 24271453
    "scaleway:functions/trigger:Trigger": frozenset({"sqs", "nats", "region"}),
    "scaleway:containers/trigger:Trigger": frozenset({"sqs", "nats", "region"}),
    # internal/services/function/domain.go @ 3d8a4b84, container/domain.go @ 24271453: no update
    "scaleway:functions/domain:Domain": frozenset({"functionId", "hostname", "region"}),
    "scaleway:containers/domain:Domain": frozenset({"containerId", "hostname", "region"}),
    # internal/services/mnq/sqs_credentials.go @ 0fa15ed5: name and permissions update in place
    "scaleway:mnq/sqsCredentials:SqsCredentials": frozenset({"region", "projectId"}),
    # internal/services/mnq/nats_credentials.go (newest stored): no update function at all
    "scaleway:mnq/natsCredentials:NatsCredentials": frozenset({"accountId", "name", "region"}),
}


def force_new_inputs(type_token: str) -> frozenset[str]:
    """The top-level inputs of ``type_token`` whose change replaces the resource.

    For a type not in the table every input is taken as force-new: a reviewer who is told
    "replace" and gets an update loses nothing, the other way round loses a resource.
    """
    return FORCE_NEW.get(type_token, frozenset({"*"}))


#: Inputs declared by ``account.ProjectIDSchema()`` and ``regional.Schema()`` (the files and
#: commits above): Optional, Computed and ForceNew. When a program stops sending one, the
#: provider keeps the value it computed (the default project or region at creation): the
#: engine sees no change, so nothing is replaced, and the resource stays where it is.
_KEPT_WHEN_OMITTED = frozenset({"projectId", "region"})


def kept_when_omitted(resource_type: str) -> frozenset[str]:
    """The inputs of ``resource_type`` whose omission the provider reads as no change."""
    return _KEPT_WHEN_OMITTED & force_new_inputs(resource_type)
