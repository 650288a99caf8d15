"""What every task needs from its process: settings, the policy, the clock, retry rules.

Only tasks, flows and the CLI read the clock and the environment; they hand `now` and the
policy to the pure rules in `models/`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from models.errors import DeliveryError, StoreError
from models.policy import Policy, TaskOptions, load_policy
from models.settings import Settings, get_settings

_policy_cache: dict[tuple[str, float], Policy] = {}
T = TypeVar("T")
log = logging.getLogger("complaints.runtime")


def settings() -> Settings:
    return get_settings()


def policy() -> Policy:
    """The policy file as it is now (re-read when the operator edits it)."""
    path = settings().policy_file
    key = (str(path), path.stat().st_mtime)
    if key not in _policy_cache:
        _policy_cache.clear()
        _policy_cache[key] = load_policy(path)
    return _policy_cache[key]


def now() -> datetime:
    return datetime.now(UTC)


def channels() -> dict[str, str]:
    """Every recipient role's channel (a role without a channel_<role> setting has none)."""
    return settings().channels()


def is_transient(exc: BaseException | None) -> bool:
    """Only what may pass by itself is retried: database hiccups, delivery, I/O, timeouts.
    The case store's errors arrive as StoreError (models.store), which says if it is one."""
    if exc is None:
        return False
    if isinstance(exc, StoreError):
        return exc.transient
    # here, not at the top: `complaints triage` imports this module and no database code
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError | DeliveryError | TimeoutError | ConnectionError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except Exception as exc:  # the state's exception, re-raised by result()
        return is_transient(exc)
    return False


def task_options(options: TaskOptions) -> dict[str, Any]:
    return {
        "retries": options.retries,
        "retry_delay_seconds": options.retry_delay_seconds,
        "timeout_seconds": options.timeout_seconds,
        "retry_condition_fn": retry_transient,
    }


def retrying(call: Callable[[], T], *, delays: Iterable[float],
             retry_if: Callable[[Exception], bool],
             note: Callable[[Exception, float], None] | None = None) -> T:
    """`call()`, tried again after each of `delays` (read lazily) while `retry_if` holds
    for what it raised; the last error is raised when the delays run out."""
    pauses = iter(delays)
    while True:
        try:
            return call()
        except Exception as exc:
            pause = next(pauses, None) if retry_if(exc) else None
            if pause is None:
                raise
            if note is not None:
                note(exc, pause)
            time.sleep(pause)


def patiently(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)`, tried again on a transient error (the case store restarting,
    a dropped connection) as a task would be: `default_task` retries and delay. For what a
    flow does outside its tasks, where Prefect's own retries do not reach."""
    def note(exc: Exception, pause: float) -> None:
        _logger().warning("The case store did not answer (%s); trying again in %s s.",
                          type(getattr(exc, "orig", None) or exc).__name__, pause)

    return retrying(lambda: call(*args, **kwargs), delays=_task_delays(),
                    retry_if=is_transient, note=note)


def _task_delays() -> Iterator[float]:
    options = policy().default_task  # read only once something failed
    yield from [options.retry_delay_seconds] * options.retries


def _logger() -> Any:
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        return log
