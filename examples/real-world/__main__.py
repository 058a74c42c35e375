"""The library's stack-file program: services come from Pulumi.<stack>.yaml."""

from private_serverless.project.stack.program import main

main()
