"""Circuit breakers for outbound calls (datastores, AWS APIs).

After `FAIL_MAX` consecutive failures a breaker opens: calls fail at once with
`pybreaker.CircuitBreakerError` for `RESET_TIMEOUT_SECONDS` instead of piling
up on a sick dependency. Then one trial call decides whether it closes again.
Use one breaker per dependency, shared by the whole process::

    with breaker.calling():
        table.put_item(Item=item)
"""

from __future__ import annotations

import logging

import pybreaker

FAIL_MAX = 5
RESET_TIMEOUT_SECONDS = 30.0

log = logging.getLogger(__name__)


class _LogStateChanges(pybreaker.CircuitBreakerListener):
    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        log.warning(
            "circuit_breaker.state_changed",
            extra={
                "breaker": cb.name,
                "from_state": old_state.name if old_state else None,
                "to_state": new_state.name,
            },
        )


def new_breaker(name: str) -> pybreaker.CircuitBreaker:
    """A breaker for the dependency `name`, logging each state change."""
    return pybreaker.CircuitBreaker(
        name=name,
        fail_max=FAIL_MAX,
        reset_timeout=RESET_TIMEOUT_SECONDS,
        listeners=[_LogStateChanges()],
    )
