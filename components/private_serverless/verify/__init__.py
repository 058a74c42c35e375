"""Checking deployed services: each endpoint is called without a key (it must refuse) and with
its key (it must accept), keys read from stack outputs or Secret Manager.

May import :mod:`~private_serverless.core` and :mod:`~private_serverless.errors` only.
"""
