"""LIMS: result, sample, specification and disposition kinds; wide batch results."""
