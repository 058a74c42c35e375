"""Pulumi components for private Scaleway Serverless Functions and Containers."""
