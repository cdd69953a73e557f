"""Announced when live (SPEC §12): posts whose first message waits for their page."""
