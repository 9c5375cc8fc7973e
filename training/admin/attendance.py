"""Admin: attendance."""
