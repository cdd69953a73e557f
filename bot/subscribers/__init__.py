"""Sending new posts to the readers who subscribed to them (SPEC §11)."""
