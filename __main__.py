"""The Pulumi program `pulumi preview` / `pulumi up` run: see private_serverless.stack.program."""

from private_serverless.project.stack.program import main

main()
