"""Reading Jekyll: a post file to a Post value, by Jekyll's own rules (pure)."""
