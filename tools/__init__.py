"""Maintainer tools: execute, clean, run and package the lessons (not part of `widgets`)."""
