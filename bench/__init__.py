"""The benchmark harness (issue 6): scenarios, the load generator and the runner behind `make bench`."""
