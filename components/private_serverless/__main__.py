"""``python -m private_serverless`` runs the command line."""

from private_serverless.cli import main

main()
