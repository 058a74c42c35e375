"""The offline plan: the real Pulumi program run under Pulumi's mock runtime."""
