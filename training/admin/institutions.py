"""Admin: institutions."""
