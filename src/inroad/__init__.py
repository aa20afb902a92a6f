"""Inroad: a self-hostable professional network built around messaging."""

__version__ = "0.1.0"
