"""The ground floor: input validation, the cited-data loader and recordings, units, lesson metadata.

Standard library and numpy only; every other floor may import it, it imports none of them.
"""
