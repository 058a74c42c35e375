"""Who may call what, and what a service may do: access arguments and grants, service-to-service
calls and their identities, API key rotation.

May import :mod:`~private_serverless.conditions`, :mod:`~private_serverless.sensitive` and
:mod:`~private_serverless.core`; never the components, the plan or the policies.
"""
