"""Profiles: positions, education, skills, photo, strength and people search."""
