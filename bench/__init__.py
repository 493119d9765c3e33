"""Benchmark of the monitoring engine (issue 5, item 6): see bench/README.md."""
