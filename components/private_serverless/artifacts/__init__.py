"""What a function deploys: its source archive (a reproducible zip, ``.scwignore``, the reuse
manifest, size limits).

May import :mod:`~private_serverless.core` only.
"""
