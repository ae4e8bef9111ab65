"""Pure models: validated inputs in, a frozen result out.

numpy and the standard library only, plus :mod:`widgets.core`: no ipywidgets, no plotly,
no subprocess and no host I/O, so every model is testable and usable on its own.
"""
