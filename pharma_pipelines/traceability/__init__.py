"""Traceability: the requirements register, the scenarios that prove each requirement and the
report an auditor reads. Plain Python; the pytest plugin in ``tests/traceability.py`` feeds it.
"""

from pharma_pipelines.traceability.provenance import CodeVersion, code_version, file_sha256
from pharma_pipelines.traceability.register import (
    ID_PATTERN,
    ID_PREFIX,
    Implementation,
    Register,
    RegisterError,
    Requirement,
    Risk,
    load_register,
    parse_register,
)
from pharma_pipelines.traceability.report import (
    Coverage,
    Outcome,
    RunContext,
    ScenarioResult,
    Status,
    TraceabilityReport,
    judge,
    render_html,
    render_json,
    render_markdown,
    write_report,
)

__all__ = [
    "ID_PATTERN",
    "ID_PREFIX",
    "CodeVersion",
    "Coverage",
    "Implementation",
    "Outcome",
    "Register",
    "RegisterError",
    "Requirement",
    "Risk",
    "RunContext",
    "ScenarioResult",
    "Status",
    "TraceabilityReport",
    "code_version",
    "file_sha256",
    "judge",
    "load_register",
    "parse_register",
    "render_html",
    "render_json",
    "render_markdown",
    "write_report",
]
