"""Tools for developers: evaluation, benchmarks, profiling, setup. Never imported by the package."""
