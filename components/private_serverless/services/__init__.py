"""The components: the shared private service base, :class:`PrivateFunction` and
:class:`PrivateContainer`, their argument models, and the registration of their attachments.

May import access, attachments, artifacts, sensitive, conditions and core; never the plan, the
policies or the project readers.
"""
