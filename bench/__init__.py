"""Benchmarks run by hand (`make bench`); nothing here is imported by the functions."""
