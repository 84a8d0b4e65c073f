"""Readers of the inputs: line-aware YAML/CSV, and the article corpus."""
