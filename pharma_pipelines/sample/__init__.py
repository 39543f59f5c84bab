"""A seeded sample landing zone: the SAP, LIMS and Outlook exports of a small pharma plant.

``generate_landing_zone`` writes ``sap/``, ``lims/`` and ``outlook/`` under a folder, in the
layouts and with the quirks real exports have (see ``docs/raw-entities.md`` for the header
variants), and returns a ``GenerationSummary``. Plain Python: no Dagster, no other context.
"""

from pharma_pipelines.sample.generator import generate_landing_zone
from pharma_pipelines.sample.summary import Defect, GenerationSummary, LoadFigures, WrittenFile

__all__ = ["Defect", "GenerationSummary", "LoadFigures", "WrittenFile", "generate_landing_zone"]
