"""The plan's renderers: text for a terminal, Markdown for a pull request, JSON for machines.

May import the plan model and values (:mod:`private_serverless.plan`) and below; nothing imports
a renderer but the plan's entry points and the command line.
"""
