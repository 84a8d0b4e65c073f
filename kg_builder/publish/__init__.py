"""Linked-data publishing: the SPARQL server, entity pages, dataset metadata, static site."""
