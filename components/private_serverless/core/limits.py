"""Scaleway Serverless and IAM limits, checked before anything is registered.

Each value names its source. When Scaleway changes a limit, change it here: the argument
models, the policy rules and the docs read these constants.
"""

from __future__ import annotations

from typing import Final, Literal

# --- Names ----------------------------------------------------------------------------------
# Function names: lowercase letters, digits and dashes (console docs), 1-34 characters
# (terraform-provider-scaleway internal/services/function/function.go: StringLenBetween(1, 34)).
# Container names: ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, 2-34 characters (Containers API v1,
# scaleway-sdk-js packages_generated/container/src/v1/validation-rules.gen.ts).
# https://www.scaleway.com/en/docs/serverless-functions/how-to/create-a-function/
SERVICE_NAME_MAX_LENGTH: Final = 34
FUNCTION_NAME_PATTERN: Final = r"^[a-z0-9](?:[a-z0-9-]{0,32}[a-z0-9])?$"
CONTAINER_NAME_PATTERN: Final = r"^[a-z0-9][a-z0-9-]{0,32}[a-z0-9]$"
# Namespace names must start with a letter and end with a letter or digit (Containers API v1:
# ^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])$, 1-50), and be lowercase (console docs for both kinds).
# We keep to the stricter common subset: lowercase, 2-34 characters.
# https://www.scaleway.com/en/docs/serverless-functions/how-to/create-manage-delete-functions-namespace/
NAMESPACE_NAME_PATTERN: Final = r"^[a-z][a-z0-9-]{0,32}[a-z0-9]$"

# --- Runtimes -------------------------------------------------------------------------------
# Runtimes in status "available" (general availability) on Scaleway's runtimes page (validated
# 2025-07-30) and its changelog of 2025-03-25 (python39 deprecated; node18, python38, go120,
# go121 and rust179 end of support: new functions cannot use them):
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-runtimes/
# The API's own list is scaleway-sdk-go api/function/v1beta1/function_sdk.go (FunctionRuntime):
# the newest version we could consult ends at php84 / rust185 / python313 / go124 / node22.
# node24, python314, go125, php85 appear in no Scaleway source we could check as generally
# available, so they are not accepted yet; add them here when Scaleway lists them "available".
FunctionRuntime = Literal[
    "python310",
    "python311",
    "python312",
    "python313",
    "node20",
    "node22",
    "go122",
    "go123",
    "go124",
    "php82",
    "php83",
    "php84",
    "rust185",
]
#: Runtimes the API knows that new functions should not (or cannot) use, with their status
#: on the runtimes page above; they get a precise error instead of "not one of ...".
RETIRED_RUNTIMES: Final[dict[str, str]] = {
    "python39": "deprecated",
    "python38": "end of support",
    "node18": "end of support",
    "go120": "end of support",
    "go121": "end of support",
    "rust179": "end of support",
    **{
        name: "end of life"
        for name in (
            *("golang", "python", "python3", "python37", "go113", "go117", "go118", "go119"),
            *("node8", "node10", "node14", "node16", "node17", "node19", "rust165"),
        )
    },
}
RuntimeFamily = Literal["python", "node", "php", "go", "rust"]


def runtime_family(runtime: str) -> RuntimeFamily:
    """The language of a runtime identifier (``python312`` -> ``python``)."""
    for family in ("python", "node", "php", "go", "rust"):
        if runtime.startswith(family):
            return family
    raise ValueError(f"unknown runtime {runtime!r}")


# Handlers: `<folder>/<file>.<function>` for Python, Node and PHP; `<folder>/<Function>` for
# Go (an exported, capitalised function) and `<folder>/<function>` for Rust (a `pub` fn).
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-handlers/
HANDLER_FILE_SUFFIXES: Final[dict[RuntimeFamily, tuple[str, ...]]] = {
    "python": (".py",),
    "node": (".js", ".mjs", ".cjs"),
    "php": (".php",),
    "go": (".go",),
    "rust": (".rs",),
}

# --- Function code --------------------------------------------------------------------------
# Zip size at most 100 MiB, code size (unpacked) at most 500 MiB, per function.
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-limitations/
FUNCTION_ZIP_MAX_BYTES: Final = 100 * 1024 * 1024
FUNCTION_CODE_MAX_BYTES: Final = 500 * 1024 * 1024

# --- Function resources ---------------------------------------------------------------------
# The strict list of memory tiers (MB) and the vCPU (mvCPU) that comes with each.
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/available-memory-and-cpu-tiers/
FUNCTION_MEMORY_TIERS_MB: Final[dict[int, int]] = {
    128: 70,
    256: 140,
    512: 280,
    1024: 560,
    2048: 1120,
    3072: 1680,
    4096: 2240,
}
FunctionMemoryMB = Literal[128, 256, 512, 1024, 2048, 3072, 4096]

# --- Container resources --------------------------------------------------------------------
# Containers have no fixed tiers: 70-6000 mvCPU and 128-12288 MB, where the API counts memory
# in bytes with decimal megabytes (memory_limit_bytes 128000000-12288000000).
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/
# scaleway-sdk-js packages_generated/container/src/v1/validation-rules.gen.ts
CONTAINER_CPU_MIN_MVCPU: Final = 70
CONTAINER_CPU_MAX_MVCPU: Final = 6000
CONTAINER_MEMORY_MIN_MB: Final = 128
CONTAINER_MEMORY_MAX_MB: Final = 12288
BYTES_PER_MB: Final = 1_000_000

# A container instance's temporary disk ("Temporary disk size: Max 24 000 MiB, Container", the
# Containers limitations page as of its 2025-03-13 validation; older copies said 1024 MiB):
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/
# (source: github.com/scaleway/docs-content pages/serverless-containers/reference-content/
# containers-limitations.mdx). Sent in bytes (local_storage_limit_bytes; the MB input
# local_storage_limit is deprecated in the provider); 24 000 MB stays below 24 000 MiB.
CONTAINER_LOCAL_STORAGE_MIN_MB: Final = 1
CONTAINER_LOCAL_STORAGE_MAX_MB: Final = 24_000

# At most 50 custom domains per function and per container ("Custom domains: Max number 50",
# both limitations pages).
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-limitations/
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/
CUSTOM_DOMAINS_MAX: Final = 50

# --- Timeouts and scaling -------------------------------------------------------------------
# Request timeout: 10 seconds to 60 minutes, for functions and for containers.
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-limitations/
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/
TIMEOUT_MIN_SECONDS: Final = 10
TIMEOUT_MAX_SECONDS: Final = 3600
# At most 50 instances of a function or a container; containers keep at most 10 warm
# (Containers API v1: max_scale 1-50, min_scale 0-10, validation-rules.gen.ts above).
MAX_SCALE_LIMIT: Final = 50
CONTAINER_MIN_SCALE_LIMIT: Final = 10

# --- Environment ----------------------------------------------------------------------------
# At most 200 environment variables and 200 secrets per function, counting the function's and
# its namespace's together (raised from 100 on 2025-12-18, Scaleway changelog "Environment
# variables and secret variables limit increase"); values up to 1000 characters.
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-limitations/
# The containers page still says 100 (Container + namespace); the same 200 is applied to both
# here. The Terraform provider the Pulumi provider wraps also caps keys at 100 characters and
# secret values at 1000 (StringLenBetween(0, 1000)).
# The counts' scope is "Function + Namespace": a service in a shared namespace (PrivateNamespace)
# is checked on the sum of its own and its namespace's variables
# (sensitive.environment.check_env_and_secrets). The page sets no total size of all variables,
# only the size of each one (checked per value, namespace and service alike).
MAX_ENV_VARS: Final = 200
MAX_SECRETS: Final = 200
ENV_NAME_MAX_LENGTH: Final = 100
ENV_VALUE_MAX_LENGTH: Final = 1000
# The platform reserves SCW_* for functions and containers ("Reserved environment variables"
# on both limitations pages), and PORT for containers only: it sets PORT to the container's
# port. Functions may use PORT (the functions page reserves SCW_* alone).
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/
RESERVED_ENV_PREFIXES: Final = ("SCW_",)
CONTAINER_RESERVED_ENV_NAMES: Final = frozenset({"PORT"})

# --- Container images -----------------------------------------------------------------------
# An image digest as registries print it after a push (`docker push`, `docker inspect
# --format '{{index .RepoDigests 0}}'`): sha256 and 64 lowercase hex digits (OCI image spec,
# descriptor "digest"). Sent as the container's registry_sha256 so that a new image under the
# same tag is a change Pulumi sees (pulumiverse_scaleway containers.Container: "The sha256 of
# your source registry image, changing it will re-apply the deployment").
IMAGE_DIGEST_PATTERN: Final = r"^sha256:[0-9a-f]{64}$"

# --- Ports ----------------------------------------------------------------------------------
# Any port up to 65535 except those the platform uses itself.
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/
PORT_MIN: Final = 1
PORT_MAX: Final = 65535
RESERVED_PORTS: Final = frozenset({8008, 8012, 8013, 8022, 9090, 9091})

# --- Probes ---------------------------------------------------------------------------------
# failure_threshold 3-50, HTTP path 1-100 characters (Containers API v1 ContainerProbe,
# validation-rules.gen.ts above).
PROBE_FAILURE_THRESHOLD_MIN: Final = 3
PROBE_FAILURE_THRESHOLD_MAX: Final = 50
PROBE_PATH_MAX_LENGTH: Final = 100

# --- Regions --------------------------------------------------------------------------------
# Serverless Functions and Containers run in Paris, Amsterdam and Warsaw.
# scaleway-sdk-go api/function/v1beta1/function_sdk.go (Regions()).
Region = Literal["fr-par", "nl-ams", "pl-waw"]

# --- IAM ------------------------------------------------------------------------------------
# The only permission sets a caller of a private service needs.
# https://www.scaleway.com/en/docs/serverless-functions/how-to/migrate-jwt-to-iam-authentication/
FUNCTIONS_PRIVATE_ACCESS: Final = "FunctionsPrivateAccess"
CONTAINERS_PRIVATE_ACCESS: Final = "ContainersPrivateAccess"
# IAM application and policy names: 1-64 characters of letters, digits, ( ) . _ - and space;
# a rule's condition at most 2048 characters; a rule names project_ids or organization_id.
# scaleway-sdk-js packages_generated/iam/src/v1alpha1/validation-rules.gen.ts
IAM_NAME_MAX_LENGTH: Final = 64
CONDITION_MAX_LENGTH: Final = 2048
# API keys: expires_at is optional at Scaleway (an organization may cap it); we always set it,
# from one day to one year. https://www.scaleway.com/en/docs/iam/how-to/create-api-keys/
KEY_LIFETIME_MIN_DAYS: Final = 1
KEY_LIFETIME_MAX_DAYS: Final = 365
