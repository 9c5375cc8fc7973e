"""Admin: classes."""
