"""The labs' child programs: small standard-library scripts, each run in a fresh interpreter.

A lab starts one with :func:`widgets.labs.base.spawn` as ``python <file> <token> <params as JSON>``: the
token (the lab's marker and a run id) lets the lab find and kill every process of the run, and the
parameters are data, never code. A child prints one JSON report on standard output, or
``{"error": "..."}`` with a sentence a learner can read. They import nothing from the course.
"""
