"""The posts folder: keeping the database in line with it (scan, settle, watch)."""
