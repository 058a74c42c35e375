"""What a private service is attached to: CRON schedules, queue triggers and a custom domain.

Each becomes a child of the service's component, named ``<name>-<role>``:
``-cron-<key>``, ``-trigger-<key>`` (and ``-trigger-<key>-credentials`` for a container's
queue credentials), ``-dns`` (the CNAME record) and ``-domain``. Functions and containers use
different provider resources for the same thing; :class:`Target` says which.

The plan shows, as notes of the service, the next runs of each schedule in the zone it states
(and a warning when daylight saving moves them) and which queue feeds the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import pulumi
from pulumiverse_scaleway import containers, functions, mnq
from pulumiverse_scaleway import domain as scw_domain

from ..attachments.custom_domain import CustomDomainArgs
from ..attachments.queue_triggers import QueueTriggerArgs
from ..attachments.schedules import ScheduleArgs, describe_runs, dst_shift
from .service_args import ServiceArgs

Kind = Literal["Function", "Container"]

# The NATS server of a region, as the provider documents it for container triggers
# (pulumiverse_scaleway containers.TriggerNatsArgs.server_urls: "nats://nats.mnq.fr-par.scaleway.com:4222").
NATS_SERVER_URL = "nats://nats.mnq.{region}.scaleway.com:4222"


@dataclass(frozen=True)
class Target:
    """The service the attachments point at."""

    component: pulumi.ComponentResource
    name: str
    """The component's name (prefix of every child's name)."""
    kind: Kind
    service_id: pulumi.Output[str]
    domain_name: pulumi.Output[str] | None
    """The service's own host name, which a custom domain's CNAME points at; None when the
    service has no custom domain (:func:`has_custom_domain`), so nothing derives it."""
    tags: list[str]

    def child(self, role: str) -> str:
        return f"{self.name}-{role}"

    def opts(self, **kwargs: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.component, **kwargs)  # type: ignore[arg-type]


def has_custom_domain(args: ServiceArgs) -> bool:
    """Whether ``args`` asks for a custom domain, which needs :attr:`Target.domain_name`."""
    return args.domain is not None or bool(args.domains)


def attach(
    target: Target, args: ServiceArgs, now: datetime | None = None
) -> pulumi.Output[str] | None:
    """Create the schedules, queue triggers and custom domain of ``args``; return the custom
    endpoint (``https://<hostname>``, known once the domain exists) if there is a domain."""
    now = now or datetime.now(UTC)
    for key, schedule in args.schedules.items():
        _schedule(target, key, schedule, args, now)
    for key, queue in args.queues.items():
        _queue(target, key, queue, args)
    return _domain(target, args)


def _note(target: Target, message: str, *, warn: bool = False) -> None:
    text = f"{target.kind} {target.name}: {message}"
    if warn:
        pulumi.log.warn(text, resource=target.component)
    else:
        pulumi.log.info(text, resource=target.component)


def _schedule(
    target: Target, key: str, schedule: ScheduleArgs, args: ServiceArgs, now: datetime
) -> None:
    runs_in, shown = schedule.schedule_time_zone, schedule.shown_time_zone
    _note(
        target,
        f"schedule {key} ({schedule.schedule}, {runs_in}) "
        + describe_runs(schedule.schedule, shown, now, runs_in),
    )
    shift = dst_shift(schedule.schedule, shown, now, runs_in)
    if shift is not None:
        _note(target, f"schedule {key}: {shift}", warn=True)
    role = target.child(f"cron-{key}")
    if target.kind == "Function":
        functions.Cron(
            role,
            function_id=target.service_id,
            name=key,
            schedule=schedule.schedule,
            args=schedule.args_json(),
            region=args.region,
            opts=target.opts(),
        )
        return
    # containers.Cron is deprecated in the installed provider ("use containers.Trigger with a
    # cron configuration instead"); the trigger's cron source is the current form. Its
    # timezone is UTC unless the schedule names another, so that by default a schedule means
    # the same on functions and containers.
    containers.Trigger(
        role,
        container_id=target.service_id,
        name=key,
        description=schedule.description,
        cron=containers.TriggerCronArgs(
            schedule=schedule.schedule,
            timezone=schedule.schedule_time_zone,
            body=schedule.args_json(),
            headers=dict(schedule.headers) if schedule.headers is not None else None,
        ),
        destination_config=containers.TriggerDestinationConfigArgs(
            http_method=schedule.http_method or "post", http_path=schedule.path
        ),
        region=args.region,
        tags=list(target.tags),
        opts=target.opts(),
    )


def _queue(target: Target, key: str, queue: QueueTriggerArgs, args: ServiceArgs) -> None:
    _note(target, f"trigger {key}: {queue.source_label()} feeds this {target.kind.lower()}")
    role = target.child(f"trigger-{key}")
    if target.kind == "Function":
        # The platform holds the consumer credentials of a function trigger: none to create.
        functions.Trigger(
            role,
            function_id=target.service_id,
            name=key,
            description=queue.description,
            sqs=(
                functions.TriggerSqsArgs(
                    queue=queue.sqs.queue_name,
                    project_id=queue.sqs.project_id,
                    region=queue.sqs.region,
                )
                if queue.sqs is not None
                else None
            ),
            nats=(
                functions.TriggerNatsArgs(
                    subject=queue.nats.subject,
                    account_id=queue.nats.account_id,
                    region=queue.nats.account_region,
                )
                if queue.nats is not None
                else None
            ),
            region=args.region,
            opts=target.opts(),
        )
        return
    destination = containers.TriggerDestinationConfigArgs(
        http_method=queue.http_method or "post", http_path=queue.path
    )
    if queue.sqs is not None:
        credentials = mnq.SqsCredentials(
            target.child(f"trigger-{key}-credentials"),
            name=f"{target.name}-{key}-receive"[:64],
            # Receive only: the trigger reads and deletes messages, nothing else.
            permissions=mnq.SqsCredentialsPermissionsArgs(
                can_receive=True, can_publish=False, can_manage=False
            ),
            project_id=queue.sqs.project_id,
            region=queue.sqs.region,
            opts=target.opts(),
        )
        containers.Trigger(
            role,
            container_id=target.service_id,
            name=key,
            description=queue.description,
            sqs=containers.TriggerSqsArgs(
                access_key=pulumi.Output.secret(credentials.access_key),
                secret_key=pulumi.Output.secret(credentials.secret_key),
                endpoint=queue.sqs.endpoint,
                queue_url=queue.sqs.queue_url,
                project_id=queue.sqs.project_id,
                region=queue.sqs.region,
            ),
            destination_config=destination,
            region=args.region,
            tags=list(target.tags),
            opts=target.opts(),
        )
        return
    assert queue.nats is not None
    region = queue.nats.account_region or args.region
    assert region is not None  # PrivateContainerArgs requires it for NATS triggers
    nats_credentials = mnq.NatsCredentials(
        target.child(f"trigger-{key}-credentials"),
        name=f"{target.name}-{key}"[:64],
        account_id=queue.nats.account_id,
        region=region,
        opts=target.opts(),
    )
    containers.Trigger(
        role,
        container_id=target.service_id,
        name=key,
        description=queue.description,
        nats=containers.TriggerNatsArgs(
            credentials_file_content=pulumi.Output.secret(nats_credentials.file),
            server_urls=[NATS_SERVER_URL.format(region=region)],
            subject=queue.nats.subject,
            account_id=queue.nats.account_id,
            region=region,
        ),
        destination_config=destination,
        region=args.region,
        tags=list(target.tags),
        opts=target.opts(),
    )


def _domain(target: Target, args: ServiceArgs) -> pulumi.Output[str] | None:
    """The custom domains; the endpoint of ``domain``, else of the first of ``domains``."""
    endpoints = []
    if args.domain is not None:
        # The single form keeps its names (`-dns`, `-domain`): a rename would replace it.
        endpoints.append(_one_domain(target, args, args.domain, "domain", "dns"))
    for custom in args.domains:
        endpoints.append(
            _one_domain(target, args, custom, f"domain-{custom.hostname}", f"dns-{custom.hostname}")
        )
    return endpoints[0] if endpoints else None


def _one_domain(
    target: Target, args: ServiceArgs, custom: CustomDomainArgs, role: str, dns_role: str
) -> pulumi.Output[str]:
    depends_on: list[pulumi.Resource] = []
    if custom.dns_zone is not None:
        assert target.domain_name is not None  # given whenever has_custom_domain(args)
        # Scaleway checks the CNAME when the domain is added: the record comes first.
        depends_on.append(
            scw_domain.Record(
                target.child(dns_role),
                dns_zone=custom.dns_zone,
                name=custom.record_name,
                type="CNAME",
                # Fully qualified, so the zone is not appended to the target.
                data=target.domain_name.apply(lambda host: host.rstrip(".") + "."),
                opts=target.opts(),
            )
        )
    opts = target.opts(depends_on=depends_on)
    created: functions.Domain | containers.Domain
    if target.kind == "Function":
        created = functions.Domain(
            target.child(role),
            function_id=target.service_id,
            hostname=custom.hostname,
            region=args.region,
            opts=opts,
        )
    else:
        created = containers.Domain(
            target.child(role),
            container_id=target.service_id,
            hostname=custom.hostname,
            region=args.region,
            opts=opts,
        )
    return created.hostname.apply(lambda host: f"https://{host}")
