"""Pulumi projects and stacks: finding and reading ``Pulumi.yaml`` and stack files (bounded YAML),
and the library's YAML stack program (:mod:`.stack`) that turns a stack file into components.

May import the components (:mod:`~private_serverless.services`), the policy settings and below;
never :mod:`~private_serverless.plan`: the plan runner is handed the program to run.
"""
