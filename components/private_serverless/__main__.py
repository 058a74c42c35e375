"""``python -m private_serverless`` runs the command line."""

from private_serverless.console import main

main()
