"""The ``private-serverless`` console script: the command line, or how to install it.

The components need none of the command line's libraries (typer, rich, python-dotenv), so a
components-only install (``pip install private-serverless``) leaves them out; this entry point
then says which extra to install instead of ending in an ``ImportError`` traceback.
"""

from __future__ import annotations

import gc
import sys

#: The distributions of the ``cli`` extra, by the module name they are imported as.
CLI_MODULES = frozenset({"typer", "click", "rich", "dotenv"})
INSTALL_HINT = 'pip install "private-serverless[cli]"'
EXIT_INVALID = 2


def main() -> None:
    """Run the command line; exit 2 with the install line when the ``cli`` extra is missing."""
    try:
        from .cli import main as cli_main
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in CLI_MODULES:
            raise
        print(
            f"private-serverless: the command line needs the `cli` extra ({exc.name} is not "
            f"installed): {INSTALL_HINT}",
            file=sys.stderr,
        )
        sys.exit(EXIT_INVALID)
    # Pulumi and the provider SDK leave some 130,000 long-lived objects once imported. Every
    # full collection would walk them again, and so would the interpreter's last one at exit:
    # about 0.5 s of a plan. A command lives seconds and never needs them collected.
    gc.freeze()
    try:
        cli_main()
    finally:
        gc.freeze()  # what the command made: nothing left to collect at exit either
