"""Shared pieces of the REST face: dependencies, request models, error rendering."""
