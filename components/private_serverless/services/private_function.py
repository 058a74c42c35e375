"""The :class:`PrivateFunction` component."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumiverse_scaleway import functions

from ..artifacts.archive import (
    ArchiveError,
    FunctionArchive,
    build_archive,
    inspect_zip,
    source_files,
)
from ..core import limits
from ..errors import ConfigurationError, Problem, hide_on_user_error
from .attachments import Target, attach, has_custom_domain
from .function_args import PrivateFunctionArgs, handler_file_candidates, handler_present
from .outputs import as_output
from .private_service import PrivateService, coerce_args, namespace_name_for

__tracebackhide__ = hide_on_user_error

TYPE_TOKEN = "private-serverless:index:PrivateFunction"


def _portable(path: Path) -> str:
    # Relative to the working directory (the project, under `pulumi up`) when inside it, so the
    # input is the same on every machine and checkout and never shows as a change by itself.
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _https(host: str) -> str:
    return f"https://{host}"


class PrivateFunction(PrivateService):
    """A Scaleway Serverless Function that only IAM-authenticated callers can invoke.

    Creates (under this component): a function namespace unless ``namespace_id`` is given, the
    function with ``privacy = "private"`` and its plain and secret environment variables, an IAM
    application, its API key(s) with an expiry, and an IAM policy granting that application only
    ``FunctionsPrivateAccess`` on the function's project, with the optional condition.

    Example::

        fn = PrivateFunction("billing", PrivateFunctionArgs(
            runtime="python312", handler="handler.handle", source_dir=Path("src/billing"),
            secrets={"DB_PASSWORD": config.require_secret("dbPassword")},
            access=AccessArgs(condition='inIpRange(request.ip, "198.51.100.0/24")'),
        ))
        pulumi.export("billing_url", fn.endpoint)
    """

    permission_set = limits.FUNCTIONS_PRIVATE_ACCESS
    kind = "Function"

    namespace: functions.Namespace | None
    function: functions.Function
    archive: FunctionArchive

    def __init__(
        self,
        name: str,
        args: PrivateFunctionArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Everything that can fail on user input happens before the first registration.
        args = coerce_args(PrivateFunctionArgs, "PrivateFunction", name, args)
        service_name = args.name or name
        namespace_name = namespace_name_for("PrivateFunction", name, args)
        self.archive = self._archive(name, args)

        super().__init__(TYPE_TOKEN, name, opts, args)

        project_id = self._project_for(service_name, args)

        call_endpoints, call_keys = self._wire_calls(service_name, args)

        self.namespace, namespace_id = self._namespace(
            functions.Namespace, namespace_name, service_name, args, project_id
        )
        self.namespace_id = as_output(namespace_id)
        service_project = self._service_project(project_id)
        identity_env, identity_secrets = self._wire_identity(service_name, args, service_project)

        self.function = functions.Function(
            self._child("function"),
            name=service_name,
            namespace_id=namespace_id,
            description=args.description,
            privacy=args.privacy,
            runtime=args.runtime,
            handler=args.handler,
            memory_limit=args.memory_limit_mb,
            timeout=args.timeout_seconds,
            min_scale=args.min_scale,
            max_scale=args.max_scale,
            http_option="redirected" if args.https_only else "enabled",
            environment_variables={**args.env, **call_endpoints, **identity_env},
            secret_environment_variables={
                **args.secret_inputs(),
                **call_keys,
                **identity_secrets,
            },
            zip_file=_portable(self.archive.path),
            # The source fingerprint (or a given zip's SHA-256): it changes exactly when the
            # code does, whatever machine or zlib built the archive.
            zip_hash=self.archive.zip_hash,
            deploy=True,
            private_network_id=args.private_network_id,
            sandbox=args.sandbox,
            region=args.region,
            tags=self._service_tags(args),
            opts=self._opts(),
        )

        if project_id is None:
            # The provider picked the project; read it back from the namespace we created
            # (PrivateFunctionArgs requires project_id with namespace_id).
            assert self.namespace is not None
            project_id = self.namespace.project_id
        self._wire_access(service_name, args, project_id)
        # The host name only where a custom domain points at it; else one apply derives the
        # endpoint and checks that the provider gave a host.
        domain_name = (
            self._provider_output(self.function.domain_name, "function", "domain_name")
            if has_custom_domain(args)
            else None
        )
        custom_endpoint = attach(
            Target(self, name, "Function", self.function.id, domain_name, args.tags), args
        )
        self._finish(
            custom_endpoint
            or self._derived_provider_output(
                self.function.domain_name, "function", "domain_name", _https
            ),
            # The namespace's own registry (Scaleway builds the function's image there); an
            # existing namespace's is not looked up.
            self.namespace.registry_endpoint if self.namespace is not None else None,
        )

    @staticmethod
    def check_code(name: str, args: PrivateFunctionArgs) -> None:
        """Check, writing nothing, what the component checks of the code before registering
        anything: a readable ``source_dir`` or ``zip_file`` that holds the handler's file.
        Raises :class:`ConfigurationError`."""
        where = f"PrivateFunction {name!r}"
        try:
            if args.zip_file is not None:
                entries = inspect_zip(args.zip_file).entries
            else:
                assert args.source_dir is not None  # guaranteed by PrivateFunctionArgs
                files = source_files(
                    args.source_dir,
                    exclude=[args.build_dir],
                    follow_external_symlinks=args.follow_external_symlinks,
                )
                entries = frozenset(file.arcname for file in files)
        except ArchiveError as exc:
            raise ConfigurationError(where, [Problem(exc.field, str(exc))]) from None
        _check_handler_present(where, args, entries)

    @staticmethod
    def _archive(name: str, args: PrivateFunctionArgs) -> FunctionArchive:
        where = f"PrivateFunction {name!r}"
        try:
            if args.zip_file is not None:
                archive = inspect_zip(args.zip_file)
            else:
                assert args.source_dir is not None  # guaranteed by PrivateFunctionArgs
                archive = build_archive(
                    args.source_dir,
                    args.build_dir / f"{name}.zip",
                    follow_external_symlinks=args.follow_external_symlinks,
                )
        except ArchiveError as exc:
            raise ConfigurationError(where, [Problem(exc.field, str(exc))]) from None
        _check_handler_present(where, args, archive.entries)
        return archive


def _check_handler_present(where: str, args: PrivateFunctionArgs, entries: frozenset[str]) -> None:
    if handler_present(args.runtime, args.handler, entries):
        return
    folder, names = handler_file_candidates(args.runtime, args.handler)
    wanted = (
        " or ".join(f"{folder}/{n}" if folder else n for n in names)
        if names
        else f"source file in {folder or 'the top folder'}"
    )
    source = "zip_file" if args.zip_file is not None else "source_dir"
    raise ConfigurationError(
        where,
        [
            Problem(
                "handler",
                f"the archive of {source} has no {wanted} (excluded, ignored by .scwignore, "
                "or misspelt?)",
            )
        ],
    )
