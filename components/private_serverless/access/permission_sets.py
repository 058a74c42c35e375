"""Scaleway's IAM permission sets: what each one lets its holder do, and how far it reaches.

The catalogue is Scaleway's permission sets reference page, entry by entry
(https://www.scaleway.com/en/docs/iam/reference-content/permission-sets/, source file
``pages/iam/reference-content/permission-sets.mdx`` of github.com/scaleway/docs-content,
validated 2026-03-20); the provider's ``scaleway_iam_policy`` documentation points to the same
page for the list of names (terraform-provider-scaleway ``docs/resources/iam_policy.md``).
Every entry cites it as :data:`SOURCE`. Products and scopes are the page's own sections
("Scoped by Organization", "Scoped by Project" and the product headings).

A set *escalates* when its holder can change identities, policies, projects or the
organization, and so grant itself (or a key it makes) any other permission: the page warns so
for ``IAMManager`` and ``OrganizationManager``; the narrower IAM managers (applications and
their API keys, users, groups, policies) can do the same through the part they manage, and
``AllProductsFullAccess`` holds every product's full access. A set is *broad* when it is a
product's full access while narrower sets of the same product exist.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

#: Where every entry comes from.
SOURCE: Final = "https://www.scaleway.com/en/docs/iam/reference-content/permission-sets/"

Scope = Literal["project", "organization"]
PROJECT: Final[Scope] = "project"
ORGANIZATION: Final[Scope] = "organization"


@dataclass(frozen=True)
class PermissionSet:
    """One permission set as Scaleway's reference describes it."""

    name: str
    product: str
    scope: Scope
    """``project``: granted on projects (``project_ids``); ``organization``: on the
    organization (``organization_id``)."""
    allows: str
    """What it lets its holder do, in the reference's words (abridged)."""
    escalates: bool = False
    """Whether its holder can change identities, policies, projects or the organization."""
    source: str = SOURCE

    @property
    def broad(self) -> bool:
        """A product's full access (``*FullAccess``) that does not escalate, where the
        product also has narrower sets (:func:`narrower_sets`)."""
        return (
            not self.escalates
            and self.name.endswith("FullAccess")
            and bool(narrower_sets(self.name))
        )

    @property
    def reads_secrets(self) -> bool:
        """Whether it reads secret data (Secret Manager versions)."""
        return self.name in SECRET_READING_SETS


def _set(
    name: str, product: str, scope: Scope, allows: str, *, escalates: bool = False
) -> PermissionSet:
    return PermissionSet(name, product, scope, allows, escalates)


_CATALOGUE: Final = (
    _set(
        "ProjectManager",
        "Projects",
        ORGANIZATION,
        "create, rename, list and delete projects",
        escalates=True,
    ),
    _set("ProjectReadOnly", "Projects", ORGANIZATION, "read project management information"),
    _set(
        "IAMReadOnly",
        "IAM",
        ORGANIZATION,
        "list and read users, groups, applications, policies and API keys",
    ),
    _set(
        "IAMManager",
        "IAM",
        ORGANIZATION,
        "every action on users, groups, applications, policies and API keys; all of ProjectManager",
        escalates=True,
    ),
    _set(
        "IAMApplicationManager",
        "IAM",
        ORGANIZATION,
        "manage IAM applications, including their API keys",
        escalates=True,
    ),
    _set(
        "IAMApplicationReadOnly",
        "IAM",
        ORGANIZATION,
        "read IAM applications and list their API keys",
    ),
    _set("IAMUserManager", "IAM", ORGANIZATION, "manage IAM users", escalates=True),
    _set("IAMUserReadOnly", "IAM", ORGANIZATION, "read IAM users and list their API keys"),
    _set(
        "IAMGroupManager",
        "IAM",
        ORGANIZATION,
        "manage IAM groups and their members",
        escalates=True,
    ),
    _set("IAMGroupReadOnly", "IAM", ORGANIZATION, "read IAM groups"),
    _set("IAMPolicyManager", "IAM", ORGANIZATION, "manage IAM policies", escalates=True),
    _set("IAMPolicyReadOnly", "IAM", ORGANIZATION, "read IAM policies"),
    _set("BillingReadOnly", "Billing", ORGANIZATION, "list and read billing information"),
    _set(
        "BillingManager",
        "Billing",
        ORGANIZATION,
        "read and edit billing contacts, payment information, alerts and invoices",
    ),
    _set(
        "OrganizationManager",
        "Organization",
        ORGANIZATION,
        "every action on projects, IAM, billing and tickets",
        escalates=True,
    ),
    _set(
        "OrganizationReadOnly",
        "Organization",
        ORGANIZATION,
        "read the organization's general information (ID, quotas)",
    ),
    _set(
        "SupportTicketManager", "Support", ORGANIZATION, "create, read and update support tickets"
    ),
    _set("SupportTicketReadOnly", "Support", ORGANIZATION, "list and read support tickets"),
    _set("AbuseTicketManager", "Support", ORGANIZATION, "create, read and update abuse tickets"),
    _set("AuditTrailReadOnly", "Audit Trail", ORGANIZATION, "list and read Audit Trail events"),
    _set("AuditTrailExportRead", "Audit Trail", ORGANIZATION, "read Audit Trail exports"),
    _set("AuditTrailExportDelete", "Audit Trail", ORGANIZATION, "delete Audit Trail exports"),
    _set("AuditTrailFullAccess", "Audit Trail", ORGANIZATION, "full access to Audit Trail"),
    _set(
        "EnvironmentalImpactReadOnly",
        "Environmental Impact",
        ORGANIZATION,
        "read Environmental Impact information",
    ),
    _set(
        "NotificationManagerFullAccess",
        "Notifications",
        ORGANIZATION,
        "full access to the notification manager",
    ),
    _set(
        "NotificationManagerReadOnly",
        "Notifications",
        ORGANIZATION,
        "read the notification manager",
    ),
    _set(
        "AllProductsFullAccess",
        "All products",
        PROJECT,
        "create, read, list, edit and delete every resource of every product, secrets included",
        escalates=True,
    ),
    _set(
        "AllProductsReadOnly",
        "All products",
        PROJECT,
        "list and read every resource of every product",
    ),
    _set(
        "InstancesFullAccess", "Instances", PROJECT, "create, read, list, edit and delete Instances"
    ),
    _set("InstancesReadOnly", "Instances", PROJECT, "list and read Instances"),
    _set("InstancesServerStart", "Instances", PROJECT, "start Instance servers"),
    _set("InstancesServerStop", "Instances", PROJECT, "stop Instance servers"),
    _set("SSHKeysReadOnly", "SSH keys", PROJECT, "read SSH keys"),
    _set("SSHKeysFullAccess", "SSH keys", PROJECT, "full access to SSH keys"),
    _set("ElasticMetalReadOnly", "Elastic Metal", PROJECT, "list and read Elastic Metal"),
    _set(
        "ElasticMetalFullAccess",
        "Elastic Metal",
        PROJECT,
        "create, read, list, edit and delete Elastic Metal",
    ),
    _set("AppleSiliconReadOnly", "Apple silicon", PROJECT, "list and read Apple silicon"),
    _set(
        "AppleSiliconFullAccess",
        "Apple silicon",
        PROJECT,
        "create, read, list, edit and delete Apple silicon",
    ),
    _set("DediboxReadOnly", "Dedibox", PROJECT, "list and read Dedibox"),
    _set("DediboxFullAccess", "Dedibox", PROJECT, "create, read, list, edit and delete Dedibox"),
    _set("DediboxConsoleFullAccess", "Dedibox", PROJECT, "access the Dedibox console"),
    _set("ObjectStorageReadOnly", "Object Storage", PROJECT, "list and read Object Storage"),
    _set(
        "ObjectStorageFullAccess",
        "Object Storage",
        PROJECT,
        "create, read, list, edit and delete Object Storage",
    ),
    _set(
        "ObjectStorageObjectsRead",
        "Object Storage",
        PROJECT,
        "read objects, tags, metadata and storage class",
    ),
    _set(
        "ObjectStorageBucketsRead",
        "Object Storage",
        PROJECT,
        "read buckets and their configuration",
    ),
    _set(
        "ObjectStorageObjectsWrite",
        "Object Storage",
        PROJECT,
        "create and edit objects, tags, metadata and storage class",
    ),
    _set("ObjectStorageObjectsDelete", "Object Storage", PROJECT, "delete objects"),
    _set(
        "ObjectStorageBucketsWrite",
        "Object Storage",
        PROJECT,
        "create and edit buckets and their configuration",
    ),
    _set("ObjectStorageBucketsDelete", "Object Storage", PROJECT, "delete buckets"),
    _set(
        "ObjectStorageBucketPolicyFullAccess",
        "Object Storage",
        PROJECT,
        "full access to bucket policies",
    ),
    _set("BlockStorageReadOnly", "Block Storage", PROJECT, "list and read Block Storage"),
    _set(
        "BlockStorageFullAccess",
        "Block Storage",
        PROJECT,
        "create, read, list, edit and delete Block Storage",
    ),
    _set("FileStorageReadOnly", "File Storage", PROJECT, "read File Storage"),
    _set("FileStorageFullAccess", "File Storage", PROJECT, "full access to File Storage"),
    _set(
        "ContainerRegistryReadOnly",
        "Container Registry",
        PROJECT,
        "list and read Container Registry",
    ),
    _set(
        "ContainerRegistryFullAccess",
        "Container Registry",
        PROJECT,
        "create, read, list, edit and delete Container Registry",
    ),
    _set(
        "PrivateNetworksFullAccess",
        "VPC",
        PROJECT,
        "create, read, list, edit and delete Private Networks",
    ),
    _set("PrivateNetworksReadOnly", "VPC", PROJECT, "read Private Networks"),
    _set("VPCFullAccess", "VPC", PROJECT, "full access to VPC"),
    _set("VPCReadOnly", "VPC", PROJECT, "read VPC"),
    _set("IPAMFullAccess", "IPAM", PROJECT, "full access to IPAM"),
    _set("IPAMReadOnly", "IPAM", PROJECT, "read IPAM"),
    _set("VPCGatewayReadOnly", "Public Gateways", PROJECT, "list and read Public Gateways"),
    _set(
        "VPCGatewayFullAccess",
        "Public Gateways",
        PROJECT,
        "create, read, list, edit and delete Public Gateways",
    ),
    _set("InterlinkFullAccess", "InterLink", PROJECT, "full access to InterLink"),
    _set("InterlinkReadOnly", "InterLink", PROJECT, "read InterLink"),
    _set("InterlinkPartnerReadOnly", "InterLink", PROJECT, "read InterLink Partner"),
    _set("InterlinkPartnerFullAccess", "InterLink", PROJECT, "full access to InterLink Partner"),
    _set("SiteToSiteVPNReadOnly", "Site-to-Site VPN", PROJECT, "read Site-to-Site VPN"),
    _set("SiteToSiteVPNFullAccess", "Site-to-Site VPN", PROJECT, "full access to Site-to-Site VPN"),
    _set("LoadBalancersReadOnly", "Load Balancers", PROJECT, "list and read Load Balancers"),
    _set(
        "LoadBalancersFullAccess",
        "Load Balancers",
        PROJECT,
        "create, read, list, edit and delete Load Balancers",
    ),
    _set("EdgeServicesFullAccess", "Edge Services", PROJECT, "full access to Edge Services"),
    _set("EdgeServicesReadOnly", "Edge Services", PROJECT, "read Edge Services"),
    _set("KubernetesReadOnly", "Kubernetes", PROJECT, "list and read Kubernetes"),
    _set(
        "KubernetesFullAccess",
        "Kubernetes",
        PROJECT,
        "create, read, list, edit and delete Kubernetes",
    ),
    _set(
        "KubernetesExternalNodeRegister",
        "Kubernetes",
        PROJECT,
        "attach external nodes to a Kosmos cluster",
    ),
    _set(
        "KubernetesSystemMastersGroupAccess",
        "Kubernetes",
        PROJECT,
        "the system:masters role: any action on the cluster",
    ),
    _set("FunctionsReadOnly", "Functions", PROJECT, "list and read Functions"),
    _set(
        "FunctionsFullAccess", "Functions", PROJECT, "create, read, list, edit and delete Functions"
    ),
    _set(
        "FunctionsPrivateAccess", "Functions", PROJECT, "call the private functions of the project"
    ),
    _set("ContainersReadOnly", "Containers", PROJECT, "list and read Containers"),
    _set(
        "ContainersFullAccess",
        "Containers",
        PROJECT,
        "create, read, list, edit and delete Containers",
    ),
    _set(
        "ContainersPrivateAccess",
        "Containers",
        PROJECT,
        "call the private containers of the project",
    ),
    _set(
        "ServerlessJobsFullAccess",
        "Jobs",
        PROJECT,
        "create, read, list, edit and delete job definitions and runs",
    ),
    _set("ServerlessJobsReadOnly", "Jobs", PROJECT, "list and read job definitions and runs"),
    _set(
        "RelationalDatabasesReadOnly",
        "Managed Databases",
        PROJECT,
        "list and read Managed Databases for PostgreSQL and MySQL",
    ),
    _set(
        "RelationalDatabasesFullAccess",
        "Managed Databases",
        PROJECT,
        "create, read, list, edit and delete Managed Databases for PostgreSQL and MySQL",
    ),
    _set(
        "ServerlessSQLDatabaseReadOnly",
        "Serverless SQL",
        PROJECT,
        "list and read Serverless SQL Databases",
    ),
    _set(
        "ServerlessSQLDatabaseReadWrite",
        "Serverless SQL",
        PROJECT,
        "read and write data and table structure of Serverless SQL Databases",
    ),
    _set(
        "ServerlessSQLDatabaseDataReadWrite",
        "Serverless SQL",
        PROJECT,
        "read, write, edit and delete data in Serverless SQL Database tables",
    ),
    _set(
        "ServerlessSQLDatabaseFullAccess",
        "Serverless SQL",
        PROJECT,
        "create, read, list, edit and delete Serverless SQL Databases",
    ),
    _set("RedisReadOnly", "Redis", PROJECT, "list and read Managed Databases for Redis"),
    _set(
        "RedisFullAccess",
        "Redis",
        PROJECT,
        "create, read, list, edit and delete Managed Databases for Redis",
    ),
    _set("MongoDBReadOnly", "MongoDB", PROJECT, "read MongoDB databases"),
    _set("MongoDBFullAccess", "MongoDB", PROJECT, "full access to MongoDB databases"),
    _set("SearchDBReadOnly", "OpenSearch", PROJECT, "read SearchDB services"),
    _set("SearchDBFullAccess", "OpenSearch", PROJECT, "full access to SearchDB services"),
    _set("GenerativeApisModelAccess", "Generative APIs", PROJECT, "call Generative APIs models"),
    _set("GenerativeApisFullAccess", "Generative APIs", PROJECT, "full access to Generative APIs"),
    _set("InferenceReadOnly", "Inference", PROJECT, "read Inference deployments"),
    _set("InferenceFullAccess", "Inference", PROJECT, "full access to Inference deployments"),
    _set("DistributedDataLabReadOnly", "Data Lab", PROJECT, "read Data Lab for Apache Spark"),
    _set(
        "DistributedDataLabFullAccess",
        "Data Lab",
        PROJECT,
        "full access to Data Lab for Apache Spark",
    ),
    _set("DataWarehouseReadOnly", "Data Warehouse", PROJECT, "read Data Warehouse for ClickHouse"),
    _set(
        "DataWarehouseFullAccess",
        "Data Warehouse",
        PROJECT,
        "full access to Data Warehouse for ClickHouse",
    ),
    _set("KafkaClusterReadOnly", "Kafka", PROJECT, "list and read Kafka clusters"),
    _set("KafkaClusterFullAccess", "Kafka", PROJECT, "full access to Kafka clusters"),
    _set("MessagingAndQueuingReadOnly", "Queues", PROJECT, "list and read Messaging and Queuing"),
    _set(
        "MessagingAndQueuingFullAccess",
        "Queues",
        PROJECT,
        "create, read, list, edit and delete Messaging and Queuing",
    ),
    _set("IoTReadOnly", "IoT Hub", PROJECT, "list and read IoT Hub"),
    _set("IoTFullAccess", "IoT Hub", PROJECT, "create, read, list, edit and delete IoT Hub"),
    _set("DomainsDNSReadOnly", "Domains and DNS", PROJECT, "list and read Domains and DNS"),
    _set(
        "DomainsDNSFullAccess",
        "Domains and DNS",
        PROJECT,
        "create, read, list, edit and delete Domains and DNS",
    ),
    _set("WebHostingReadOnly", "Web Hosting", PROJECT, "list and read Web Hosting"),
    _set(
        "WebHostingFullAccess",
        "Web Hosting",
        PROJECT,
        "create, read, list, edit and delete Web Hosting",
    ),
    _set(
        "TransactionalEmailReadOnly",
        "Transactional Email",
        PROJECT,
        "list and read Transactional Email",
    ),
    _set(
        "TransactionalEmailFullAccess",
        "Transactional Email",
        PROJECT,
        "create, read, list, edit and delete Transactional Email",
    ),
    _set(
        "TransactionalEmailBlocklistFullAccess",
        "Transactional Email",
        PROJECT,
        "full access to blocklists",
    ),
    _set("TransactionalEmailBlocklistReadOnly", "Transactional Email", PROJECT, "read blocklists"),
    _set(
        "TransactionalEmailDomainReadOnly",
        "Transactional Email",
        PROJECT,
        "read domains (not e-mails)",
    ),
    _set(
        "TransactionalEmailDomainFullAccess",
        "Transactional Email",
        PROJECT,
        "full access to domains (not e-mails)",
    ),
    _set(
        "TransactionalEmailEmailReadOnly",
        "Transactional Email",
        PROJECT,
        "read e-mails (not domains)",
    ),
    _set(
        "TransactionalEmailEmailFullAccess",
        "Transactional Email",
        PROJECT,
        "full access to e-mails (not domains)",
    ),
    _set(
        "TransactionalEmailWebhookFullAccess",
        "Transactional Email",
        PROJECT,
        "full access to webhooks",
    ),
    _set("TransactionalEmailWebhookReadOnly", "Transactional Email", PROJECT, "read webhooks"),
    _set(
        "TransactionalEmailProjectSettingsFullAccess",
        "Transactional Email",
        PROJECT,
        "full access to project settings",
    ),
    _set(
        "TransactionalEmailProjectSettingsReadOnly",
        "Transactional Email",
        PROJECT,
        "read project settings",
    ),
    _set(
        "TransactionalEmailEmailSmtpCreate",
        "Transactional Email",
        PROJECT,
        "send e-mails over SMTP",
    ),
    _set(
        "TransactionalEmailEmailApiCreate",
        "Transactional Email",
        PROJECT,
        "send e-mails through the API",
    ),
    _set(
        "TransactionalEmailOfferSubscriptionReadOnly",
        "Transactional Email",
        PROJECT,
        "read offer subscriptions",
    ),
    _set(
        "TransactionalEmailOfferSubscriptionFullAccess",
        "Transactional Email",
        PROJECT,
        "full access to offer subscriptions",
    ),
    _set(
        "TransactionalEmailPoolReadOnly", "Transactional Email", PROJECT, "read the project's pool"
    ),
    _set("MailboxFullAccess", "Mailbox", PROJECT, "full access to Mailbox"),
    _set("MailboxReadOnly", "Mailbox", PROJECT, "read Mailbox"),
    _set("ObservabilityReadOnly", "Cockpit", PROJECT, "list and read Observability"),
    _set(
        "ObservabilityFullAccess",
        "Cockpit",
        PROJECT,
        "create, read, list, edit and delete Observability",
    ),
    _set(
        "SecretManagerReadOnly",
        "Secret Manager",
        PROJECT,
        "list and read secrets' metadata, not their data",
    ),
    _set(
        "SecretManagerFullAccess",
        "Secret Manager",
        PROJECT,
        "create, read, access, edit and delete every secret and version",
    ),
    _set(
        "SecretManagerSecretAccess", "Secret Manager", PROJECT, "read the data of secret versions"
    ),
    _set("SecretManagerSecretCreate", "Secret Manager", PROJECT, "create secrets and versions"),
    _set("SecretManagerSecretDelete", "Secret Manager", PROJECT, "delete secrets and versions"),
    _set(
        "SecretManagerSecretWrite",
        "Secret Manager",
        PROJECT,
        "edit secrets' and versions' metadata",
    ),
    _set("SecretManagerSecretRestore", "Secret Manager", PROJECT, "restore secrets and versions"),
    _set(
        "KeyManagerFullAccess", "Key Manager", PROJECT, "create, read, list, edit and delete keys"
    ),
    _set("KeyManagerReadOnly", "Key Manager", PROJECT, "list and read keys"),
    _set("KeyManagerKeyWrite", "Key Manager", PROJECT, "edit keys (not create or delete)"),
    _set("KeyManagerKeyDecrypt", "Key Manager", PROJECT, "decrypt with keys"),
    _set("KeyManagerKeyEncrypt", "Key Manager", PROJECT, "encrypt with keys"),
    _set("KeyManagerKeySign", "Key Manager", PROJECT, "sign with keys"),
    _set("KeyManagerKeyVerify", "Key Manager", PROJECT, "verify signatures with keys"),
    _set("KeyManagerKeyDelete", "Key Manager", PROJECT, "delete keys"),
    _set("KeyManagerKeyCreate", "Key Manager", PROJECT, "create keys"),
    _set("KeyManagerKeyRestore", "Key Manager", PROJECT, "restore keys"),
    _set("QaaSFullAccess", "Quantum", PROJECT, "full access to Quantum as a Service"),
    _set("QaaSReadOnly", "Quantum", PROJECT, "read Quantum as a Service"),
)

#: Every permission set by name.
PERMISSION_SETS: Final[Mapping[str, PermissionSet]] = {entry.name: entry for entry in _CATALOGUE}

#: Sets that read the data of secrets (not only their metadata).
SECRET_READING_SETS: Final = frozenset(
    {"SecretManagerSecretAccess", "SecretManagerFullAccess", "AllProductsFullAccess"}
)


class UnknownPermissionSetError(ValueError):
    """A permission set name Scaleway does not list; the message gives the closest names."""


def closest_names(name: str, count: int = 3) -> list[str]:
    """The catalogue's names closest to ``name`` (case-insensitive), best first."""
    lowered = {entry.lower(): entry for entry in PERMISSION_SETS}
    matches = difflib.get_close_matches(name.lower(), lowered, n=count, cutoff=0.5)
    return [lowered[match] for match in matches]


def permission_set(name: str) -> PermissionSet:
    """The catalogue's entry for ``name``, or :class:`UnknownPermissionSetError` naming the
    closest names (never echoing ``name`` itself)."""
    entry = PERMISSION_SETS.get(name)
    if entry is not None:
        return entry
    close = closest_names(name, count=5)
    hint = f"; closest: {', '.join(close)}" if close else ""
    raise UnknownPermissionSetError(
        f"is not a Scaleway permission set (names are case-sensitive){hint}; see {SOURCE}"
    )


def narrower_sets(name: str) -> list[str]:
    """The other sets of the same product that neither escalate nor are full access, in the
    reference's order: what to grant instead of a product's full access."""
    entry = PERMISSION_SETS.get(name)
    if entry is None:
        return []
    return [
        other.name
        for other in _CATALOGUE
        if other.product == entry.product
        and other.name != name
        and not other.escalates
        and not other.name.endswith("FullAccess")
    ]


def escalates(name: str) -> bool:
    """Whether the named set escalates (an unknown name does not, as far as is known)."""
    entry = PERMISSION_SETS.get(name)
    return entry is not None and entry.escalates
