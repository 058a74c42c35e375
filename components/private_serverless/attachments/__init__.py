"""What a service is attached to: CRON schedules, queue triggers, custom domains, and a
container's operation (scaling, sandbox). Argument models only; the components register them.

May import :mod:`~private_serverless.sensitive` and :mod:`~private_serverless.core`.
"""
