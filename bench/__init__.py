"""Benchmarks: each module runs our code and its peer on the same data in the same run and reports the ratio."""
