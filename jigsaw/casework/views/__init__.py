"""Casework pages, one module per part of the journey; each module lists its own URLs."""
