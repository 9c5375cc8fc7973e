"""Training's periodic tasks (the outcome recompute)."""
