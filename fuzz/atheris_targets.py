"""Coverage-guided fuzzing (atheris, libFuzzer) of the stack-file loader and the export reader.

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/seed_files.py /tmp/seeds    # the seed files, from the project
    mkdir -p /tmp/corpus/stack /tmp/corpus/export   # libFuzzer adds the inputs it keeps here
    cp /tmp/seeds/stack.yaml stacks/Pulumi.prod.yaml /tmp/corpus/stack/
    cp /tmp/seeds/export.json /tmp/corpus/export/
    .venv/bin/python fuzz/atheris_targets.py stack  -runs=20000 /tmp/corpus/stack
    .venv/bin/python fuzz/atheris_targets.py export -runs=20000 /tmp/corpus/export

Arguments after the target name go to libFuzzer (``-runs``, ``-max_total_time``, ``-rss_limit_mb``,
corpus directories). A crash is any exception other than the refusal the target expects, or
an error message quoting a planted value; libFuzzer saves the input as ``crash-*``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "components")]

with atheris.instrument_imports(include=["private_serverless", "yaml", "fuzz"]):
    from fuzz.targets import export_target, stack_loader_target

TARGETS = {"stack": stack_loader_target, "export": export_target}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer options] [corpus]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
