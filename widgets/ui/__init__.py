"""Figures, the course theme and the thin calculators that wire a model to controls and a figure."""
