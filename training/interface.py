"""What the subsidies app reads of training (its only door into this app): claims, their figures and their
evidence bundle. Filled in by the claims work."""
