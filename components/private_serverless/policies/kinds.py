"""Resource type tokens the rules care about, deprecated aliases included.

pulumiverse-scaleway registers every resource twice: under its module (``functions/function``)
and under a deprecated ``index/...`` alias kept for old programs. A rule keyed on one token
only would let the alias through, so rules ask for a :class:`Kind` instead of a token.
"""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    """What a resource is, whatever token registered it."""

    FUNCTION = "function"
    CONTAINER = "container"
    NAMESPACE = "namespace"
    APPLICATION = "iam-application"
    API_KEY = "iam-api-key"
    POLICY = "iam-policy"
    LEGACY_TOKEN = "legacy-token"
    GROUP = "iam-group"
    GROUP_MEMBERSHIP = "iam-group-membership"
    PROJECT = "project"
    CRON = "cron"
    CONTAINER_TRIGGER = "container-trigger"


_KINDS: dict[str, Kind] = {
    "scaleway:functions/function:Function": Kind.FUNCTION,
    "scaleway:index/function:Function": Kind.FUNCTION,
    "scaleway:containers/container:Container": Kind.CONTAINER,
    "scaleway:index/container:Container": Kind.CONTAINER,
    "scaleway:functions/namespace:Namespace": Kind.NAMESPACE,
    "scaleway:index/functionNamespace:FunctionNamespace": Kind.NAMESPACE,
    "scaleway:containers/namespace:Namespace": Kind.NAMESPACE,
    "scaleway:index/containerNamespace:ContainerNamespace": Kind.NAMESPACE,
    "scaleway:iam/application:Application": Kind.APPLICATION,
    "scaleway:index/iamApplication:IamApplication": Kind.APPLICATION,
    "scaleway:iam/apiKey:ApiKey": Kind.API_KEY,
    "scaleway:index/iamApiKey:IamApiKey": Kind.API_KEY,
    "scaleway:iam/policy:Policy": Kind.POLICY,
    "scaleway:index/iamPolicy:IamPolicy": Kind.POLICY,
    "scaleway:iam/group:Group": Kind.GROUP,
    "scaleway:index/iamGroup:IamGroup": Kind.GROUP,
    "scaleway:iam/groupMembership:GroupMembership": Kind.GROUP_MEMBERSHIP,
    "scaleway:index/iamGroupMembership:IamGroupMembership": Kind.GROUP_MEMBERSHIP,
    "scaleway:account/project:Project": Kind.PROJECT,
    "scaleway:index/accountProject:AccountProject": Kind.PROJECT,
    "scaleway:functions/cron:Cron": Kind.CRON,
    "scaleway:index/functionCron:FunctionCron": Kind.CRON,
    "scaleway:containers/cron:Cron": Kind.CRON,
    "scaleway:index/containerCron:ContainerCron": Kind.CRON,
    "scaleway:containers/trigger:Trigger": Kind.CONTAINER_TRIGGER,
    "scaleway:index/containerTrigger:ContainerTrigger": Kind.CONTAINER_TRIGGER,
    "scaleway:functions/token:Token": Kind.LEGACY_TOKEN,
    "scaleway:index/functionToken:FunctionToken": Kind.LEGACY_TOKEN,
    "scaleway:containers/token:Token": Kind.LEGACY_TOKEN,
    "scaleway:index/containerToken:ContainerToken": Kind.LEGACY_TOKEN,
}


def kind_of(type_token: str) -> Kind | None:
    """The kind of a resource type token, or ``None`` for types no rule looks at."""
    return _KINDS.get(type_token)


def tokens_of(*kinds: Kind) -> frozenset[str]:
    """Every type token (real and alias) of the given kinds."""
    return frozenset(token for token, kind in _KINDS.items() if kind in kinds)


def is_container_token(type_token: str) -> bool:
    """Whether a legacy token belongs to containers (for the migration's permission set)."""
    return "container" in type_token.lower()
