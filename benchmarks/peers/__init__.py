"""Peer solvers of the schedule benchmark, each run in a child process of its own.

``cpsat_model`` imports OR-Tools and nothing of the product; ``child`` is the
entry point of one solver run. OR-Tools and python-mip must never be loaded
in the same process: their bundled COIN-OR libraries clash.
"""
