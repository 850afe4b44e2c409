"""Resolve requirements.in into a hashed, cross-platform requirements.lock, and check it."""
