"""`complaints deploy` translates nothing when `prefect deploy` fails. That it gives the
deployed forms and descriptions the served ones is tested against a real Prefect server
(tests/flows/test_scale_out.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from flows import serve


def test_a_failed_prefect_deploy_translates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import deploy

    monkeypatch.setattr(deploy.subprocess, "run", lambda *a, **k: SimpleNamespace(returncode=1))
    monkeypatch.setattr(serve, "localize_registered", lambda: pytest.fail("translated"))
    with pytest.raises(deploy.DeployFailed, match="exited with 1"):
        deploy.deploy()
