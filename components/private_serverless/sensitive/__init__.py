"""Telling secrets from plain values: credential-looking names and values, and the environment
variable rules every plain slot (env, schedule arguments, command lines) is checked with.

May import :mod:`~private_serverless.core` and :mod:`~private_serverless.errors` only.
"""
