"""Conventions of infra/ that neither `terraform fmt` nor checkov checks.

- every .tf file parses as HCL;
- every variable has a type and a description, every output a description (the reader of
  a module learns its interface from these alone);
- every checkov suppression carries its reason next to it (`#checkov:skip=ID:reason`).

Run as `uvx --from python-hcl2==<pinned> python .ci/terraform_conventions.py infra`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import hcl2

SKIP = re.compile(r"#\s*checkov:skip=([^:\s]*)(?::(.*))?")


def problems_in(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = SKIP.search(line)
        if match and not (match.group(2) or "").strip():
            found.append(
                f"{path}:{number}: checkov:skip={match.group(1)} has no reason; write "
                f"#checkov:skip={match.group(1)}:<why the finding does not apply here>"
            )
    try:
        document = hcl2.loads(text)
    except Exception as error:  # the parser raises several types; all mean 'not HCL'
        return [*found, f"{path}: not valid HCL: {error}"]
    for block in document.get("variable", []):
        for quoted, body in block.items():
            name = quoted.strip('"')
            missing = [key for key in ("type", "description") if key not in body]
            if missing:
                found.append(
                    f"{path}: variable {name!r} lacks {' and '.join(missing)}; every variable "
                    "states its type and what it means"
                )
    for block in document.get("output", []):
        for quoted, body in block.items():
            name = quoted.strip('"')
            if "description" not in body:
                found.append(f"{path}: output {name!r} lacks a description")
    return found


def main(root: str) -> int:
    files = sorted(Path(root).rglob("*.tf"))
    if not files:
        print(f"no .tf files under {root}/: nothing to check is a failure", file=sys.stderr)
        return 1
    problems = [problem for path in files for problem in problems_in(path)]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(files)} Terraform files, {len(problems)} convention problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "infra"))
