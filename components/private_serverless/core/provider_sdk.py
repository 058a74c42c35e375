"""Import the Scaleway provider SDK without its flood of deprecation warnings.

Importing ``pulumiverse_scaleway`` announces each of its deprecated ``index/*`` aliases (about
300 ``DeprecationWarning``s), which every test run of a program using the components would
print. The components never use those aliases (deprecated *inputs* are checked by
tests/test_provider_schema.py), so this one import silences exactly those messages.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", r"scaleway\.index/.* has been deprecated", category=DeprecationWarning
    )
    import pulumiverse_scaleway  # noqa: F401  # imported for its side effect, once
