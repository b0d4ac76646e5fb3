from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pybreaker
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from py_queue.breakers import FAIL_MAX
from py_queue.settings import Settings
from py_queue.worker import MAX_MESSAGES, WAIT_TIME_SECONDS, Worker, handle


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def queue_url(sqs: Any) -> str:
    # Visibility timeout 0: a message left on the queue is visible again at once.
    attributes = {"VisibilityTimeout": "0"}
    return sqs.create_queue(QueueName="py-queue", Attributes=attributes)["QueueUrl"]


@pytest.fixture
def receives(sqs: Any) -> list[dict[str, Any]]:
    """The parameters of every ReceiveMessage call the worker makes."""
    calls: list[dict[str, Any]] = []
    sqs.meta.events.register(
        "provide-client-params.sqs.ReceiveMessage", lambda params, **_: calls.append(params)
    )
    return calls


def worker_for(settings: Settings, queue_url: str, sqs: Any, handler: Any = handle) -> Worker:
    return Worker(replace(settings, queue_url=queue_url), handler, sqs)


def send(sqs: Any, queue_url: str, *bodies: str) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)


def remaining(sqs: Any, queue_url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [m["Body"] for m in messages.get("Messages", [])]


def test_handled_messages_are_deleted_and_failures_stay(
    settings: Settings, sqs: Any, queue_url: str, receives: list[dict[str, Any]]
) -> None:
    send(sqs, queue_url, '{"order": 1}', "not json", '{"order": 2}')

    done = worker_for(settings, queue_url, sqs).poll_once()

    assert done == 2
    assert remaining(sqs, queue_url) == ["not json"]
    assert receives[0]["WaitTimeSeconds"] == WAIT_TIME_SECONDS == 20
    assert receives[0]["MaxNumberOfMessages"] == MAX_MESSAGES == 10


def test_sigterm_stops_polling_after_the_batch_in_hand(
    settings: Settings, sqs: Any, queue_url: str, receives: list[dict[str, Any]]
) -> None:
    send(sqs, queue_url, '{"n": 1}', '{"n": 2}', '{"n": 3}')
    handled: list[str] = []

    def handler(body: str) -> None:
        if not handled:
            signal.raise_signal(signal.SIGTERM)  # ECS stops the task mid-batch
        handled.append(body)

    previous = signal.getsignal(signal.SIGTERM)
    code = worker_for(settings, queue_url, sqs, handler).run()

    assert code == 0
    assert len(receives) == 1  # no poll after SIGTERM
    assert sorted(json.loads(b)["n"] for b in handled) == [1, 2, 3]
    assert remaining(sqs, queue_url) == []  # the whole batch was deleted
    assert signal.getsignal(signal.SIGTERM) is previous


def test_the_breaker_opens_after_repeated_sqs_failures(
    settings: Settings, sqs: Any, queue_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    worker = worker_for(settings, f"{queue_url}-deleted", sqs)

    for _ in range(FAIL_MAX - 1):
        with pytest.raises(ClientError):
            worker.poll_once()
    with pytest.raises(pybreaker.CircuitBreakerError):
        worker.poll_once()  # the failure that trips it
    with pytest.raises(pybreaker.CircuitBreakerError):
        worker.poll_once()  # fails fast, SQS is not called

    assert worker.breaker.current_state == "open"
    (change,) = [r for r in caplog.records if r.getMessage() == "circuit_breaker.state_changed"]
    assert (change.breaker, change.from_state, change.to_state) == ("sqs", "closed", "open")


@pytest.mark.parametrize("body", ["not json", "[1, 2]", ""])
def test_handle_refuses_anything_but_a_json_object(body: str) -> None:
    with pytest.raises((ValueError, TypeError)):
        handle(body)
