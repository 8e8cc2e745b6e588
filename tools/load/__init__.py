"""The load of the benchmarks (Locust)."""
