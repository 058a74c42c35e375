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
# Runtimes in status "available" (python39 is announced deprecated; end-of-support runtimes
# such as node18, python38, go121 and rust179 cannot be used for new functions).
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-runtimes/
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
# At most 200 environment variables and 200 secrets per function or container (its namespace
# included); values up to 1000 characters. The Terraform provider the Pulumi provider wraps
# also caps keys at 100 characters and secret values at 1000 (StringLenBetween(0, 1000)).
# https://www.scaleway.com/en/docs/serverless-functions/reference-content/functions-limitations/
MAX_ENV_VARS: Final = 200
MAX_SECRETS: Final = 200
ENV_NAME_MAX_LENGTH: Final = 100
ENV_VALUE_MAX_LENGTH: Final = 1000
# The platform sets SCW_* (functions and containers) and PORT (containers).
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/
RESERVED_ENV_NAMES: Final = frozenset({"PORT"})
RESERVED_ENV_PREFIXES: Final = ("SCW_",)

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
