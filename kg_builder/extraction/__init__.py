"""Extraction: facts proposed automatically from article text, for review (issue 6)."""
