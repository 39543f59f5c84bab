"""Catalog: the curated product model and the rules that conform raw rows to it."""
