"""`complaints deploy`: the scale-out registration (README, "Scale-out").

`prefect deploy --all` registers the deployments of prefect.yaml with the English run
forms Prefect builds from the flows' signatures; `complaints up` serves the same
deployments with their run forms in the staff's language (flows/run_forms.py). This
command runs `prefect deploy --all` and then gives every deployment it registered the
run form `complaints up` would serve, so both paths show the staff the same forms.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from models.errors import ComplaintError
from models.settings import PROJECT_ROOT


class DeployFailed(ComplaintError):
    """`prefect deploy` exited with an error (its own output says why)."""


def deploy() -> dict[str, Any]:
    """Register the deployments of prefect.yaml (`prefect --no-prompt deploy --all`), then
    put their run forms in the staff's language."""
    args = [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"]
    # Prefect's own report goes to stderr: stdout is this command's JSON.
    done = subprocess.run(args, cwd=PROJECT_ROOT, check=False, stdout=sys.stderr)
    if done.returncode != 0:
        raise DeployFailed(f"prefect deploy exited with {done.returncode}; "
                           "nothing was translated")
    from flows.serve import localize_registered
    from tasks.runtime import policy

    return {"deployed": localize_registered(), "run_forms": policy().staff_language}
