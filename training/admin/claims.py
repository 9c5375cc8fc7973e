"""Admin: claims."""
