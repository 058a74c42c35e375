"""What `import private_serverless` leaves for first use (its cost is measured by bench/run.py).

Building a validator at import costs the build, and the first one built also makes pydantic
scan every installed distribution for plugins; so every model and type adapter the package
defines builds on first use.
"""

from __future__ import annotations

import subprocess
import sys

_CHECK = """
import sys
import private_serverless
from pydantic import BaseModel, TypeAdapter

def walk(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from walk(sub)

ours = [m for m in walk(BaseModel) if m.__module__.startswith("private_serverless")]
assert len(ours) > 15, len(ours)
built = [m.__qualname__ for m in ours if m.__pydantic_complete__]
assert not built, f"models built at import: {built}"
adapters = [
    (module, name)
    for module, loaded in list(sys.modules.items())
    if module.startswith("private_serverless")
    for name, value in vars(loaded).items()
    if isinstance(value, TypeAdapter) and value.pydantic_complete
]
assert not adapters, f"type adapters built at import: {adapters}"
private_serverless.AccessArgs()  # and they do build when used
assert private_serverless.AccessArgs.__pydantic_complete__
"""


def test_no_validator_is_built_at_import() -> None:
    subprocess.run([sys.executable, "-W", "ignore", "-c", _CHECK], check=True)
