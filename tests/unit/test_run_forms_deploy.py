"""`complaints deploy` (the scale-out path) gives the deployments `prefect deploy`
registered the run forms `complaints up` serves, in the staff's language."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import prefect
import pytest

from flows import serve
from flows.serve import declared, localize_registered, runner_deployments


class Client:
    """What localize_registered asks of Prefect's client: read by name, update."""

    def __init__(self) -> None:
        self.ids: dict[str, Any] = {}
        self.updates: dict[Any, dict[str, Any]] = {}

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def read_deployment_by_name(self, name: str) -> Any:
        return SimpleNamespace(id=self.ids.setdefault(name, uuid4()))

    def update_deployment(self, deployment_id: Any, update: Any) -> None:
        self.updates[deployment_id] = update.model_dump(exclude_unset=True)


def test_every_deployment_gets_the_run_form_it_is_served_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = Client()
    monkeypatch.setattr(prefect, "get_client", lambda sync_client=False: client)

    names = localize_registered()

    assert [n.split("/")[1] for n in names] == [e["name"] for e in declared()]
    served = {d.name: d._parameter_openapi_schema.model_dump(exclude_none=True)
              for d in runner_deployments()}
    sent = {name.split("/")[1]: client.updates[client.ids[name]] for name in names}
    assert all(sorted(update) == ["description", "parameter_openapi_schema"]
               for update in sent.values())
    assert {n: u["parameter_openapi_schema"] for n, u in sent.items()} == served
    assert served["complaint"]["properties"]["intake"]["title"] == "投诉登记"
    described = {d.name: d.description for d in runner_deployments()}
    assert {n: u["description"] for n, u in sent.items()} == described
    assert described["complaint"].startswith("一宗客户投诉，从受理到结案")


def test_a_failed_prefect_deploy_translates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import deploy

    monkeypatch.setattr(deploy.subprocess, "run", lambda *a, **k: SimpleNamespace(returncode=1))
    monkeypatch.setattr(serve, "localize_registered", lambda: pytest.fail("translated"))
    with pytest.raises(deploy.DeployFailed, match="exited with 1"):
        deploy.deploy()
