"""The foundation every layer may import: Scaleway's limits, the engine's resource record, the
argument models' base, bounded file reading and atomic writes, the provider SDK import.

Imports nothing of the package but :mod:`private_serverless.errors`.
"""
