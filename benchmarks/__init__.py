"""Benchmarks of kg-builder: synthetic corpora of any size (generate.py) and their runners."""
