"""Who can call what: the access matrix of a set of registered resources.

Scaleway IAM grants ``FunctionsPrivateAccess`` / ``ContainersPrivateAccess`` per *project*: a
principal granted it on project P may call every private function (container) of P, whatever
service the grant was written for. And policies add up: a request is allowed when any rule of
any policy of the principal, or of a group it belongs to, matches. So the access a principal
really has to a service is the union of every rule that reaches the service's project, which
is what this module computes, from records alone (offline plan, CrossGuard, audit export).

Records are linked by id when the ids are real (an audited export) and otherwise by the
dependencies the engine records (a policy depends on the application whose id it uses).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from ..access.public_access import public_reason_of
from ..access.service_calls import CALLS_TAG_PREFIX, IDENTITY_TAG_PREFIX
from ..access.workload_identity import GRANTS_TAG_PREFIX
from ..core.inventory import ResourceRecord
from .kinds import Kind, kind_of

#: Permission sets that let a principal call a private service of a project, by service kind.
INVOKE_SETS: Mapping[Kind, frozenset[str]] = {
    Kind.FUNCTION: frozenset({"FunctionsPrivateAccess", "FunctionsFullAccess"}),
    Kind.CONTAINER: frozenset({"ContainersPrivateAccess", "ContainersFullAccess"}),
}
_EVERYTHING = "AllProductsFullAccess"

#: The project of a namespace that names none: the provider's default project.
DEFAULT_PROJECT = "the default project"
_UNKNOWN = "[unknown]"  # rules.UNKNOWN; not imported, rules imports this module


@dataclass(frozen=True)
class Principal:
    """Who holds a grant: an application, a group (with its member applications) or a user."""

    kind: str
    name: str
    members: tuple[str, ...] = ()

    def __str__(self) -> str:
        return ANYONE if self.kind == ANYONE else f"{self.kind} '{self.name}'"


#: The principal of a public service: whoever sends a request, with or without a key.
ANYONE = "anyone"


@dataclass(frozen=True)
class Service:
    """A private function or container, the project it runs in, and the component owning it."""

    kind: str
    name: str
    project: str
    urn: str
    component: str | None
    #: Whether anyone may call it without a key (``privacy: public``), and why (its
    #: ``public_reason``; None when public with no reason given).
    public: bool = False
    public_reason: str | None = None
    #: The namespace, when the service shares it with other services (a PrivateNamespace):
    #: its label and the other services in it. Sharing a namespace shares variables, not
    #: access: IAM grants per project.
    shared_namespace: str | None = None
    namespace_peers: tuple[str, ...] = ()


@dataclass(frozen=True)
class GrantRule:
    """One policy rule through which a principal reaches a service."""

    policy: str
    policy_urn: str
    rule: int
    permission_set: str
    condition: str | None
    via_group: str | None = None
    #: The component that created the policy (None: created at the stack's top level).
    policy_parent: str | None = None
    #: The service component a caller's identity was granted this rule to call (``calls``);
    #: the other services of that project are reached by the project-wide grant, not meant.
    calls: str | None = None
    #: The service component whose identity holds this rule as one of its own grants
    #: (``identity.grants``): what the service may do, never access it declares for callers.
    grants_of: str | None = None

    def declares_for(self, service: Service) -> bool:
        """Whether this rule is ``service``'s own declared access: written by its component,
        not through a group, and not a call its service makes to another (``calls``)."""
        return (
            self.via_group is None
            and self.calls is None
            and self.grants_of is None
            and service.component is not None
            and self.policy_parent == service.component
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "policy": self.policy,
            "rule": self.rule,
            "permission_set": self.permission_set,
            "condition": self.condition,
            "via_group": self.via_group,
            "calls": self.calls,
        }


@dataclass(frozen=True)
class AccessEntry:
    """A principal that can call a service, under ``condition`` (None: any request)."""

    principal: Principal
    service: Service
    condition: str | None
    rules: tuple[GrantRule, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: the plan's ``access`` entries."""
        principal: dict[str, Any] = {"kind": self.principal.kind, "name": self.principal.name}
        if self.principal.kind == "group":
            principal["members"] = list(self.principal.members)
        entry = {
            "principal": principal,
            "service": {
                "kind": self.service.kind,
                "name": self.service.name,
                "project": self.service.project,
                **(
                    {
                        "shared_namespace": self.service.shared_namespace,
                        "namespace_peers": list(self.service.namespace_peers),
                    }
                    if self.service.shared_namespace is not None
                    else {}
                ),
            },
            "condition": self.condition,
            "rules": [rule.to_dict() for rule in self.rules],
        }
        if self.principal.kind == ANYONE:
            entry["public_reason"] = self.service.public_reason
        return entry


# --- linking records ------------------------------------------------------------------------


@dataclass
class _Index:
    records: Sequence[ResourceRecord]
    #: The provider's default project as the stack configures it (``scaleway:projectId``), if
    #: known: a preview leaves the project of a namespace that names none unknown.
    default_project_id: str | None = None
    by_urn: dict[str, ResourceRecord] = field(init=False)
    by_id: dict[str, ResourceRecord] = field(init=False)

    #: Project ids that are the provider's default project: the id a policy got from a
    #: namespace that names no project (the stack's ``scaleway:projectId``, say). A service
    #: that names the same id by hand is in that same project.
    default_literals: set[str] = field(init=False)
    _of_kind: dict[tuple[Kind, ...], list[ResourceRecord]] = field(init=False, default_factory=dict)
    _literal_projects: dict[str, str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.by_urn = {record.urn: record for record in self.records}
        self.by_id = {record.id: record for record in self.records if record.id}
        self.by_id = self._learn_ids() | self.by_id
        self.default_literals = self._learn_default_literals()
        if self.default_project_id:
            self.default_literals.add(self.default_project_id)

    def _learn_ids(self) -> dict[str, ResourceRecord]:
        """Ids named by an input whose one dependency of the right kind is the record named.

        A CrossGuard or preview record carries no id of its own, and a policy may name its
        application by id (a known one) while depending on it: another policy naming the same
        id then holds the same principal.
        """
        learnt: dict[str, ResourceRecord] = {}
        for holder in self.records:
            for key, kind in _ID_INPUTS.items():
                value = _known(holder.inputs.get(key))
                if value is None or value in self.by_id:
                    continue
                named = [
                    self.by_urn[urn]
                    for urn in holder.dependencies
                    if urn in self.by_urn and kind_of(self.by_urn[urn].type) is kind
                ]
                if len(named) == 1:
                    learnt.setdefault(value, named[0])
        return learnt

    def _learn_default_literals(self) -> set[str]:
        learnt: set[str] = set()
        for policy in self.of_kind(Kind.POLICY):
            deps = [self.by_urn[urn] for urn in policy.dependencies if urn in self.by_urn]
            namespaces = [d for d in deps if kind_of(d.type) is Kind.NAMESPACE]
            if any(kind_of(d.type) is Kind.PROJECT for d in deps) or len(namespaces) != 1:
                continue
            if namespaces[0].inputs.get("projectId") is not None:
                continue  # the namespace names its project: not the default one
            rules = policy.inputs.get("rules")
            for rule in rules if isinstance(rules, Sequence) and not isinstance(rules, str) else ():
                values = _strings(rule.get("projectIds")) if isinstance(rule, Mapping) else []
                if len(values) == 1 and values[0] not in self.by_id:
                    learnt.add(values[0])
        return learnt

    def of_kind(self, *kinds: Kind) -> list[ResourceRecord]:
        # Asked once per policy rule and per service: scanning every record each time made the
        # matrix quadratic in the stack's size (docs/benchmarks.md). Records do not change.
        found = self._of_kind.get(kinds)
        if found is None:
            found = [record for record in self.records if kind_of(record.type) in kinds]
            self._of_kind[kinds] = found
        return found

    def literal_projects(self) -> dict[str, str]:
        """The project label of each project id that a namespace names literally."""
        if self._literal_projects is None:
            self._literal_projects = {
                literal: _namespace_project(self, namespace)
                for namespace in self.of_kind(Kind.NAMESPACE)
                if (literal := _known(namespace.inputs.get("projectId"))) is not None
            }
        return self._literal_projects

    def resolve(self, holder: ResourceRecord, value: object, kind: Kind) -> ResourceRecord | None:
        """The record of ``kind`` that ``holder``'s input ``value`` names, if it can be told."""
        if isinstance(value, str) and value in self.by_id:
            found = self.by_id[value]
            return found if kind_of(found.type) is kind else None
        candidates = [
            self.by_urn[urn]
            for urn in holder.dependencies
            if urn in self.by_urn and kind_of(self.by_urn[urn].type) is kind
        ]
        return candidates[0] if len(candidates) == 1 else None

    def resolve_all(
        self, holder: ResourceRecord, values: object, kind: Kind
    ) -> list[ResourceRecord]:
        """Records of ``kind`` named by a list input (by id, else every such dependency)."""
        items = _strings(values)
        by_id = [self.by_id[v] for v in items if v in self.by_id]
        if by_id:
            return [r for r in by_id if kind_of(r.type) is kind]
        return [
            self.by_urn[urn]
            for urn in holder.dependencies
            if urn in self.by_urn and kind_of(self.by_urn[urn].type) is kind
        ]


#: Inputs that name another record by id, and the kind of record they name.
_ID_INPUTS: Mapping[str, Kind] = {"applicationId": Kind.APPLICATION, "groupId": Kind.GROUP}


def _strings(value: object, *, keep_unknown: bool = False) -> list[str]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [
            item for item in value if isinstance(item, str) and (keep_unknown or item != _UNKNOWN)
        ]
    return []


def _known(value: object) -> str | None:
    return value if isinstance(value, str) and value and value != _UNKNOWN else None


def _component_name(index: _Index, record: ResourceRecord) -> str | None:
    parent = index.by_urn.get(record.parent or "")
    # CrossGuard does not say which resources are components; a provider type is not one.
    if parent is None or kind_of(parent.type) is not None or parent.type == "pulumi:pulumi:Stack":
        return None
    return parent.name


def _project_label(record: ResourceRecord) -> str:
    name = record.inputs.get("name")
    return f"project '{name if isinstance(name, str) and name else record.name}'"


def _namespace_project(index: _Index, namespace: ResourceRecord) -> str:
    project = index.resolve(namespace, namespace.inputs.get("projectId"), Kind.PROJECT)
    if project is not None:
        return _project_label(project)
    if namespace.inputs.get("projectId") == _UNKNOWN:
        # Named, but by a value no record here explains: not the default project.
        name = _known(namespace.inputs.get("name")) or namespace.name
        return f"the project of namespace '{name}'"
    literal = _known(namespace.inputs.get("projectId"))
    if literal is None or literal in index.default_literals:
        return DEFAULT_PROJECT
    return f"project {literal}"


def services(records: Sequence[ResourceRecord]) -> list[Service]:
    """The private functions and containers of ``records``, with their projects."""
    return _services(_Index(records))


def _services(index: _Index) -> list[Service]:
    found = []
    namespaces: dict[str, ResourceRecord] = {}
    for record in index.of_kind(Kind.FUNCTION, Kind.CONTAINER):
        kind = kind_of(record.type)
        assert kind is not None
        namespace = index.resolve(record, record.inputs.get("namespaceId"), Kind.NAMESPACE)
        project = DEFAULT_PROJECT if namespace is None else _namespace_project(index, namespace)
        component = _component_name(index, record)
        name = component or _known(record.inputs.get("name")) or record.name
        public = record.inputs.get("privacy") == "public" or (
            # The provider makes a container with no privacy set public.
            kind is Kind.CONTAINER and record.inputs.get("privacy") is None
        )
        reason = public_reason_of(record.inputs.get("tags")) if public else None
        found.append(Service(kind.value, name, project, record.urn, record.parent, public, reason))
        if namespace is not None:
            namespaces[record.urn] = namespace
    return _with_shared_namespaces(found, namespaces)


def _with_shared_namespaces(
    found: list[Service], namespaces: Mapping[str, ResourceRecord]
) -> list[Service]:
    """``found`` with each service that shares its namespace told so (and with whom)."""
    members: dict[str, list[Service]] = {}
    for service in found:
        if service.urn in namespaces:
            members.setdefault(namespaces[service.urn].urn, []).append(service)
    shared = []
    for service in found:
        namespace = namespaces.get(service.urn)
        group = members.get(namespace.urn, []) if namespace is not None else []
        if namespace is None or len(group) < 2:
            shared.append(service)
            continue
        label = _known(namespace.inputs.get("name")) or namespace.name
        peers = tuple(sorted(_service_label(s) for s in group if s.urn != service.urn))
        shared.append(
            replace(service, shared_namespace=f"namespace '{label}'", namespace_peers=peers)
        )
    return shared


def _rule_projects(
    index: _Index, policy: ResourceRecord, rule: Mapping[str, Any], default_ids: set[str]
) -> tuple[set[str], bool]:
    """The projects a rule covers (labels as in :class:`Service`) and whether it is org-wide."""
    if rule.get("organizationId"):
        return set(), True
    labels = set()
    for value, label in _raw_rule_projects(index, policy, rule):
        if label is not None:
            labels.add(label)
        else:
            labels.add(DEFAULT_PROJECT if value in default_ids else f"project {value}")
    return labels, False


def _raw_rule_projects(
    index: _Index, policy: ResourceRecord, rule: Mapping[str, Any]
) -> list[tuple[str, str | None]]:
    """Each project id of a rule with its label, None when nothing tells which project it is.

    An id known only after apply (a preview's ``[unknown]``) is told by what the policy depends
    on, as an id that names no record is.
    """
    values = _strings(rule.get("projectIds"), keep_unknown=True)
    project_deps = [
        index.by_urn[urn]
        for urn in policy.dependencies
        if urn in index.by_urn and kind_of(index.by_urn[urn].type) is Kind.PROJECT
    ]
    namespace_deps = [
        index.by_urn[urn]
        for urn in policy.dependencies
        if urn in index.by_urn and kind_of(index.by_urn[urn].type) is Kind.NAMESPACE
    ]
    # A project id a namespace also names is that namespace's project, however it is labelled.
    literal_projects = index.literal_projects()
    found: list[tuple[str, str | None]] = []
    for value in values:
        if value in index.by_id and kind_of(index.by_id[value].type) is Kind.PROJECT:
            found.append((value, _project_label(index.by_id[value])))
        elif value in literal_projects:
            found.append((value, literal_projects[value]))
        elif len(project_deps) == 1 and len(values) == 1:
            found.append((value, _project_label(project_deps[0])))
        elif namespace_deps and len(values) == 1:
            # The project id came from the namespace, which names no project: the default one.
            found.append((value, _namespace_project(index, namespace_deps[0])))
        else:
            found.append((value, None))
    return found


def _default_project_ids(index: _Index, all_services: Sequence[Service]) -> set[str]:
    """Ids that stand for the provider's default project, where services name no project.

    Learnt from policies whose project id came from such a namespace, and from the access
    policies a service's component writes for its own callers when that service runs in the
    default project (the component grants on its namespace's project, so the one id its rules
    name is it, however many other ids the stack's policies name; a component naming several
    tells nothing). Failing both, when services run in the default project and the policies
    name exactly one project nothing else explains, that one (an audited export often keeps no
    project id on the namespace).
    """
    in_default = {
        service.component
        for service in all_services
        if service.project == DEFAULT_PROJECT and service.component is not None
    }
    learnt: set[str] = set()
    unexplained: set[str] = set()
    by_component: dict[str, set[str]] = {}
    for policy in index.of_kind(Kind.POLICY):
        rules = policy.inputs.get("rules")
        if not isinstance(rules, Sequence) or isinstance(rules, str):
            continue
        own_access = (
            policy.parent in in_default
            and _tagged(policy, CALLS_TAG_PREFIX) is None
            and _tagged(policy, GRANTS_TAG_PREFIX) is None
        )
        for rule in rules:
            if not isinstance(rule, Mapping):
                continue
            for value, label in _raw_rule_projects(index, policy, rule):
                if value == _UNKNOWN:
                    continue  # stands for no one id: never learnt as the default project
                if label == DEFAULT_PROJECT:
                    learnt.add(value)
                elif label is None:
                    unexplained.add(value)
                    if own_access and policy.parent is not None:
                        by_component.setdefault(policy.parent, set()).add(value)
    learnt.update(next(iter(ids)) for ids in by_component.values() if len(ids) == 1)
    if learnt:
        return learnt
    uses_default = any(service.project == DEFAULT_PROJECT for service in all_services)
    return unexplained if uses_default and len(unexplained) == 1 else set()


@dataclass(frozen=True)
class Grant:
    """One permission set of one policy rule: who holds it, where, under which condition."""

    principal: Principal
    #: Project labels, as in :class:`Service` (empty when the rule is organization-wide).
    projects: frozenset[str]
    organization_wide: bool
    rule: GrantRule


def _tagged(record: ResourceRecord, prefix: str) -> str | None:
    """The value of the record's ``<prefix><value>`` tag, if it has one."""
    found = {
        tag.removeprefix(prefix)
        for tag in _strings(record.inputs.get("tags"))
        if tag.startswith(prefix) and tag != prefix
    }
    # Two different values tell nothing for sure: read as no tag.
    return found.pop() if len(found) == 1 else None


def _application_label(record: ResourceRecord) -> str:
    caller = _tagged(record, IDENTITY_TAG_PREFIX)
    if caller is not None:
        # A service's workload identity (service_calls.py): named after its service.
        return f"{caller} (service identity)"
    return _known(record.inputs.get("name")) or record.name


def _groups(index: _Index) -> dict[str, tuple[ResourceRecord, list[str]]]:
    """Groups by URN, with the labels of their member applications."""
    groups: dict[str, tuple[ResourceRecord, list[str]]] = {}
    for group in index.of_kind(Kind.GROUP):
        members = [
            _application_label(app)
            for app in index.resolve_all(
                group, group.inputs.get("applicationIds"), Kind.APPLICATION
            )
        ]
        members += [f"user {u}" for u in _strings(group.inputs.get("userIds"))]
        groups[group.urn] = (group, members)
    for membership in index.of_kind(Kind.GROUP_MEMBERSHIP):
        owner = index.resolve(membership, membership.inputs.get("groupId"), Kind.GROUP)
        app = index.resolve(membership, membership.inputs.get("applicationId"), Kind.APPLICATION)
        if owner is not None and app is not None and owner.urn in groups:
            groups[owner.urn][1].append(_application_label(app))
    return groups


def _principal(
    index: _Index, policy: ResourceRecord, groups: Mapping[str, tuple[ResourceRecord, list[str]]]
) -> Principal | None:
    inputs = policy.inputs
    if inputs.get("applicationId") is not None:
        app = index.resolve(policy, inputs.get("applicationId"), Kind.APPLICATION)
        if app is not None:
            return Principal("application", _application_label(app))
        literal = _known(inputs.get("applicationId"))
        return Principal("application", literal) if literal else None
    if inputs.get("groupId") is not None:
        group = index.resolve(policy, inputs.get("groupId"), Kind.GROUP)
        if group is not None:
            name = _known(group.inputs.get("name")) or group.name
            return Principal("group", name, tuple(sorted(set(groups[group.urn][1]))))
        literal = _known(inputs.get("groupId"))
        return Principal("group", literal) if literal else None
    literal = _known(inputs.get("userId"))
    return Principal("user", literal) if literal else None


def _grants(index: _Index, all_services: Sequence[Service]) -> list[Grant]:
    groups = _groups(index)
    default_ids = _default_project_ids(index, all_services)
    grants = []
    for policy in index.of_kind(Kind.POLICY):
        principal = _principal(index, policy, groups)
        if principal is None:
            continue
        rules = policy.inputs.get("rules")
        if not isinstance(rules, Sequence) or isinstance(rules, str):
            continue
        for number, rule in enumerate(rules, start=1):
            if not isinstance(rule, Mapping) or rule.get("condition") == _UNKNOWN:
                continue
            projects, org = _rule_projects(index, policy, rule, default_ids)
            condition = rule.get("condition")
            condition = condition.strip() if isinstance(condition, str) else None
            for permission_set in _strings(rule.get("permissionSetNames")):
                grants.append(
                    Grant(
                        principal,
                        frozenset(projects),
                        org,
                        GrantRule(
                            _known(policy.inputs.get("name")) or policy.name,
                            policy.urn,
                            number,
                            permission_set,
                            condition or None,
                            policy_parent=policy.parent,
                            calls=_tagged(policy, CALLS_TAG_PREFIX),
                            grants_of=_tagged(policy, GRANTS_TAG_PREFIX),
                        ),
                    )
                )
    return grants


#: The provider's type of a Secret Manager secret, and the role of the one where a component
#: stores its callers' API key (``store_keys_in_secret_manager``).
_SECRET_TYPE = "scaleway:secrets/secret:Secret"
_KEY_SECRET_SUFFIX = "-key-secret"


@dataclass(frozen=True)
class StoredKey:
    """A service's callers' API key kept in Secret Manager, and the project it is kept in."""

    service: Service
    project: str
    secret_urn: str


def stored_keys(
    records: Sequence[ResourceRecord], *, default_project_id: str | None = None
) -> list[StoredKey]:
    """The services whose callers' key the components store in Secret Manager, with the
    project of each secret (labelled as the access matrix labels projects)."""
    secrets = [
        record
        for record in records
        if record.type == _SECRET_TYPE and record.name.endswith(_KEY_SECRET_SUFFIX)
    ]
    if not secrets:  # the usual case: no index of the whole stack to build
        return []
    index = _Index(records, default_project_id)
    by_component = {s.component: s for s in _services(index) if s.component is not None}
    found = []
    for record in secrets:
        service = by_component.get(record.parent or "")
        if service is None:
            continue
        # The component keeps the key in its service's project; a preview leaves that
        # project's id unknown (it comes from the namespace), so it is the service's label.
        unknown = record.inputs.get("projectId") == _UNKNOWN
        project = service.project if unknown else _namespace_project(index, record)
        found.append(StoredKey(service, project, record.urn))
    return found


def grants(
    records: Sequence[ResourceRecord], *, default_project_id: str | None = None
) -> list[Grant]:
    """Every permission set every policy rule grants, its principal and projects linked as
    :func:`access_matrix` links them (by id, else by the dependencies the engine records), so
    that a preview's unknown ids still name their application and project. Rules whose
    condition is unknown are left out."""
    index = _Index(records, default_project_id)
    return _grants(index, _services(index))


def union(conditions: Iterable[str | None]) -> str | None:
    """The condition of several rules together: any may match (None: one has no condition)."""
    unique: list[str] = []
    for condition in conditions:
        if condition is None:
            return None
        if condition not in unique:
            unique.append(condition)
    if len(unique) == 1:
        return unique[0]
    return " || ".join(f"({condition})" for condition in unique)


@dataclass(frozen=True)
class AccessCell:
    """A principal and every service of one kind and project it can call.

    IAM grants per project (or organization), so the rules through which a principal reaches
    a service depend on the service's kind and project only: one cell stands for
    ``len(services)`` entries of the matrix, all under the same rules and condition. A project
    of N services that every key reaches is N cells of N services, not N x N judgements.
    """

    principal: Principal
    #: The kind and project of the services (as in :class:`Service`).
    place: tuple[str, str]
    #: In matrix order (by name, then kind).
    services: tuple[Service, ...]
    condition: str | None
    rules: tuple[GrantRule, ...]
    #: The principal's rank in the matrix's order (by kind, then name).
    rank: int


@dataclass(frozen=True)
class AccessCells:
    """The access matrix grouped: public services, then the cells in principal order."""

    public: tuple[Service, ...]
    cells: tuple[AccessCell, ...]
    #: Each service's position in the matrix order, by URN.
    position: Mapping[str, int]

    def entries(self) -> list[AccessEntry]:
        """The matrix, one entry per principal and service: public services first, then by
        principal, then by service."""
        anyone = Principal(ANYONE, ANYONE)
        entries = [AccessEntry(anyone, service, None, ()) for service in self.public]
        start = 0
        while start < len(self.cells):
            end = start
            while end < len(self.cells) and self.cells[end].rank == self.cells[start].rank:
                end += 1
            pairs = [(cell, service) for cell in self.cells[start:end] for service in cell.services]
            if end - start > 1:
                pairs.sort(key=lambda pair: self.position[pair[1].urn])
            entries += [
                AccessEntry(cell.principal, service, cell.condition, cell.rules)
                for cell, service in pairs
            ]
            start = end
        return entries


def access_matrix(
    records: Sequence[ResourceRecord], *, default_project_id: str | None = None
) -> list[AccessEntry]:
    """One entry per principal and service it can call, ordered by principal then service.

    An application also gets what the groups it belongs to are granted (``via_group``).
    ``default_project_id`` is the provider's default project (the stack's
    ``scaleway:projectId``): a service naming that id by hand shares the project of services
    naming none.
    """
    return access_cells(records, default_project_id=default_project_id).entries()


def access_cells(
    records: Sequence[ResourceRecord], *, default_project_id: str | None = None
) -> AccessCells:
    """The access matrix of ``records`` grouped in cells (see :class:`AccessCell`): what the
    rules judge, once per principal and project rather than once per pair of services."""
    index = _Index(records, default_project_id)
    all_services = _services(index)
    grants = _grants(index, all_services)
    groups = [g for g in grants if g.principal.kind == "group"]
    by_principal: dict[Principal, list[Grant]] = {}
    for grant in grants:
        by_principal.setdefault(grant.principal, []).append(grant)
    for group_grant in groups:
        for member in group_grant.principal.members:
            if member.startswith("user "):
                continue
            inherited = Grant(
                Principal("application", member),
                group_grant.projects,
                group_grant.organization_wide,
                _with_group(group_grant.rule, group_grant.principal.name),
            )
            by_principal.setdefault(inherited.principal, []).append(inherited)
    ordered = sorted(all_services, key=lambda s: (s.name, s.kind))
    position = {service.urn: number for number, service in enumerate(ordered)}
    by_place: dict[tuple[str, str], list[Service]] = {}
    for service in ordered:
        by_place.setdefault((service.kind, service.project), []).append(service)
    places = {place: tuple(found) for place, found in by_place.items()}
    cells = []
    principals = sorted(by_principal, key=lambda p: (p.kind, p.name))
    for rank, principal in enumerate(principals):
        reached: dict[tuple[str, str], list[GrantRule]] = {}
        for grant in by_principal[principal]:
            for place in _reached_places(grant, places):
                reached.setdefault(place, []).append(grant.rule)
        # Cells in the order of their first service: the matrix order when expanded.
        for place in sorted(reached, key=lambda place: position[places[place][0].urn]):
            rules = reached[place]
            condition = union(rule.condition for rule in rules)
            cells.append(AccessCell(principal, place, places[place], condition, tuple(rules), rank))
    # A public service: anyone may call it, whatever the policies say (listed first).
    public = tuple(service for service in ordered if service.public)
    return AccessCells(public, tuple(cells), position)


def _reached_places(
    grant: Grant, places: Mapping[tuple[str, str], tuple[Service, ...]]
) -> list[tuple[str, str]]:
    """The (kind, project) places whose services a grant lets its principal call: its
    permission set's kind, its projects (every project, when organization-wide)."""
    kinds = [
        kind.value
        for kind, sets in INVOKE_SETS.items()
        if grant.rule.permission_set in sets or grant.rule.permission_set == _EVERYTHING
    ]
    if grant.organization_wide:
        return [place for place in places if place[0] in kinds]
    return [
        (kind, project) for kind in kinds for project in grant.projects if (kind, project) in places
    ]


def _with_group(rule: GrantRule, group: str) -> GrantRule:
    return GrantRule(
        rule.policy,
        rule.policy_urn,
        rule.rule,
        rule.permission_set,
        rule.condition,
        via_group=group,
        policy_parent=rule.policy_parent,
        calls=rule.calls,
        grants_of=rule.grants_of,
    )


def declared_accesses(entries: Sequence[AccessEntry]) -> dict[str, str | None]:
    """Per service URN, the condition its component declares (services declaring nothing are
    left out); see :func:`declared_access`."""
    own: dict[str, list[str | None]] = {}
    for entry in entries:
        service = entry.service
        if service.component is None:
            continue
        for rule in entry.rules:
            if rule.declares_for(service):
                own.setdefault(service.urn, []).append(rule.condition)
    return {urn: union(conditions) for urn, conditions in own.items()}


def declared_access(entries: Sequence[AccessEntry], service: Service) -> tuple[bool, str | None]:
    """(whether declared, condition) of the grants written for ``service`` by its component.

    A component declares a service's access with the policies it creates next to it (its own
    application's, and ``grant_invoke``'s). Without a component, nothing is declared.
    """
    own = [
        rule
        for entry in entries
        if entry.service == service
        for rule in entry.rules
        if rule.declares_for(service)
    ]
    if service.component is None or not own:
        return False, None
    return True, union(rule.condition for rule in own)


@lru_cache(maxsize=1024)
def implies(stronger: str | None, weaker: str | None) -> bool:
    """Whether every request ``stronger`` allows is also allowed by ``weaker``.

    None is "no condition" (every request). Decided with the condition analysis; when it
    cannot tell (an invalid condition, reported by its own rule), the answer is yes, so that
    no finding is made up.
    """
    if weaker is None or stronger == weaker:
        return True
    if stronger is None:
        return False
    from ..conditions.errors import ConditionError
    from ..conditions.meaning import condition_meaning
    from ..conditions.syntax import parse_cel

    try:
        tree = parse_cel(f"({stronger}) && !({weaker})")
        return not condition_meaning(tree).can_allow
    except (ConditionError, RecursionError):
        return True


# --- rendering (the plan's formats call these) ----------------------------------------------


def _condition_label(condition: str | None) -> str:
    return "any request" if condition is None else condition


def _entry_label(entry: AccessEntry) -> str:
    """The condition of an entry, or for a public service's "anyone" why it is public."""
    if entry.principal.kind != ANYONE:
        return _condition_label(entry.condition)
    reason = entry.service.public_reason
    why = f"public on purpose: {reason}" if reason else "public, no reason given"
    return f"any request, without a key ({why})"


def _service_label(service: Service) -> str:
    return f"{service.kind} '{service.name}'"


#: Entries shown one by one in the text and Markdown formats; past that, the diagram groups
#: services by project and the lists stop with a count (the JSON format has them all). A stack
#: of N services sharing one project has N x N entries.
MAX_LISTED = 200


def _more(entries: Sequence[AccessEntry]) -> str:
    return f"... and {len(entries) - MAX_LISTED} more entries (the JSON format lists them all)"


def access_text(entries: Sequence[AccessEntry]) -> list[str]:
    """The matrix as text lines: one line per principal and service."""
    if not entries:
        return ["Access: (no principal can call a service)"]
    lines = ["Access (who can call what, under which condition):"]
    for entry in entries[:MAX_LISTED]:
        members = (
            f" [members: {', '.join(entry.principal.members)}]" if entry.principal.members else ""
        )
        lines.append(
            f"  {entry.principal}{members} -> {_service_label(entry.service)} "
            f"({entry.service.project}): {_entry_label(entry)}"
        )
    if len(entries) > MAX_LISTED:
        lines.append(f"  {_more(entries)}")
    lines.extend(f"  {note}" for note in shared_namespace_notes(entries))
    return lines


def shared_namespace_notes(entries: Sequence[AccessEntry]) -> list[str]:
    """One note per shared namespace: it shares variables and secrets, never access."""
    groups: dict[tuple[str, str], set[str]] = {}
    for entry in entries:
        service = entry.service
        if service.shared_namespace is not None:
            key = (service.shared_namespace, service.project)
            groups.setdefault(key, set()).update(
                {_service_label(service), *service.namespace_peers}
            )
    return [
        f"Note: {', '.join(sorted(members))} share {namespace}: a namespace shares variables "
        f"and secrets, not access; IAM grants access per project ({project}), so the key of "
        "any of them reaches every private service of its kind in that project"
        for (namespace, project), members in sorted(groups.items())
    ]


def _mermaid_text(text: str) -> str:
    # Mermaid labels are quoted; entity codes keep quotes and brackets from ending them.
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("\n", " ")


def access_markdown(entries: Sequence[AccessEntry]) -> str:
    """The matrix as a Markdown section: a diagram principals -> services, then a table."""
    if not entries:
        return "### Access\n\nNo principal can call a service."
    lines = ["### Access", "", "```mermaid", "flowchart LR", *_diagram(entries), "```"]
    lines += ["", "| Principal | Service | Project | Condition | Granted by |"]
    lines.append("|---|---|---|---|---|")
    for entry in entries[:MAX_LISTED]:
        granted = "<br>".join(
            f"{rule.policy} #{rule.rule} {rule.permission_set}"
            + (f" (via group {rule.via_group})" if rule.via_group else "")
            for rule in entry.rules
        )
        lines.append(
            f"| {_cell(str(entry.principal))} | {_cell(_service_label(entry.service))} | "
            f"{_cell(entry.service.project)} | {_condition_cell(entry)} | "
            f"{_cell(granted or 'privacy public')} |"
        )
    if len(entries) > MAX_LISTED:
        lines += ["", _more(entries)]
    notes = shared_namespace_notes(entries)
    if notes:
        lines += ["", *(_cell(note) for note in notes)]
    return "\n".join(lines)


def _diagram(entries: Sequence[AccessEntry]) -> list[str]:
    """Mermaid lines: principals -> services (or -> projects, for a large matrix)."""
    grouped = len(entries) > MAX_LISTED
    principals = list(dict.fromkeys(entry.principal for entry in entries))
    pid = {principal: f"p{index}" for index, principal in enumerate(principals)}

    def target(service: Service) -> str:
        if grouped:
            return f"{service.kind}s in {service.project}"
        return f"{_service_label(service)}<br/>{service.project}"

    targets = list(dict.fromkeys(target(entry.service) for entry in entries))
    tid = {label: f"s{index}" for index, label in enumerate(targets)}
    lines = [f'  {node}(["{_mermaid_text(str(p))}"])' for p, node in pid.items()]
    lines += [
        f'  {node}["{_mermaid_text(label).replace("#lt;br/#gt;", "<br/>")}"]'
        for label, node in tid.items()
    ]
    by_name = {p.name: node for p, node in pid.items() if p.kind == "application"}
    for principal, node in pid.items():
        lines += [
            f"  {by_name[member]} -. member of .-> {node}"
            for member in principal.members
            if member in by_name
        ]
    edges = dict.fromkeys(
        (
            pid[e.principal],
            tid[target(e.service)],
            "no key" if e.principal.kind == ANYONE else _condition_label(e.condition),
        )
        for e in entries
    )
    lines += [f'  {p} -->|"{_mermaid_text(label)}"| {t}' for p, t, label in edges]
    return lines


def _condition_cell(entry: AccessEntry) -> str:
    if entry.principal.kind == ANYONE:
        return _cell(_entry_label(entry))
    return f"`{_cell(_condition_label(entry.condition))}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
