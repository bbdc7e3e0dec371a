"""Workflow domain (see issues)."""
