"""Stand-in CBC workers for the kill and crash paths of the solver.

Run like the real worker, as ``python -m tests.unit.scheduling.scheduling_workers
REQUEST RESULT``; the request's ``behaviour`` says how to misbehave.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(arguments: list[str]) -> None:
    request = json.loads(Path(arguments[0]).read_text(encoding="utf-8"))
    if request["behaviour"] == "overrun":
        time.sleep(request["sleep_s"])
        Path(arguments[1]).write_text(json.dumps({"late": True}), encoding="utf-8")
    elif request["behaviour"] == "crash":
        sys.stderr.write("simulated CBC crash\n")
        sys.stderr.flush()
        os._exit(3)


if __name__ == "__main__":
    main(sys.argv[1:])
