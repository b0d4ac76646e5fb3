"""The queue worker: long-polls SQS, handles each message, deletes the successes.

A message whose handling raises is not deleted: it becomes visible again after
the queue's visibility timeout and, after 5 receives, moves to the dead-letter
queue (the redrive policy in terraform). On SIGTERM the worker stops polling,
finishes the batch in hand, deletes its successes and exits 0.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import boto3
import pybreaker
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .breakers import new_breaker
from .settings import Settings

WAIT_TIME_SECONDS = 20  # long polling: an idle worker makes 3 requests a minute
MAX_MESSAGES = 10  # the SQS maximum, for a receive and for a delete batch
ERROR_BACKOFF_SECONDS = 5.0

log = logging.getLogger(__name__)


def handle(body: str) -> None:
    """Handles one message. Raise to leave it on the queue (retried, then dead-lettered).

    Replace this with the service's work. SQS delivers at least once and a
    batch may be redelivered after a crash, so keep it idempotent.
    """
    event = json.loads(body)
    if not isinstance(event, dict):
        raise TypeError(f"expected a JSON object, got {type(event).__name__}")
    log.info("message.handled", extra={"fields": sorted(event)})


class Worker:
    def __init__(
        self,
        settings: Settings,
        handler: Callable[[str], None] = handle,
        sqs: Any = None,
    ) -> None:
        self.queue_url = settings.queue_url
        self.handler = handler
        self.sqs = sqs or boto3.client(
            "sqs",
            region_name=settings.aws_region,
            config=Config(
                retries={"mode": "standard"},
                connect_timeout=5,
                read_timeout=WAIT_TIME_SECONDS + 10,
            ),
        )
        self.breaker = new_breaker("sqs")
        self._stopping = threading.Event()

    def stop(self, sig: int | None = None, frame: FrameType | None = None) -> None:
        """Asks the loop to stop after the current batch (the SIGTERM handler)."""
        if not self._stopping.is_set():
            name = signal.Signals(sig).name if sig else None
            log.info("worker.stopping", extra={"signal": name})
        self._stopping.set()

    def run(self) -> int:
        """Polls until SIGTERM or SIGINT, then drains; returns the process exit code."""
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("worker.started", extra={"queue_url": self.queue_url})
        try:
            while not self._stopping.is_set():
                try:
                    self.poll_once()
                except pybreaker.CircuitBreakerError:
                    log.warning("worker.circuit_open", extra={"retry_in_s": ERROR_BACKOFF_SECONDS})
                    self._stopping.wait(ERROR_BACKOFF_SECONDS)
                except (BotoCoreError, ClientError):
                    log.exception("worker.poll_failed", extra={"retry_in_s": ERROR_BACKOFF_SECONDS})
                    self._stopping.wait(ERROR_BACKOFF_SECONDS)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("worker.stopped")
        return 0

    def poll_once(self) -> int:
        """Receives one batch, handles it and deletes the successes; returns their number."""
        response = self.breaker.call(
            self.sqs.receive_message,
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=MAX_MESSAGES,
            WaitTimeSeconds=WAIT_TIME_SECONDS,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        done = [message for message in response.get("Messages", []) if self._process(message)]
        if done:
            self._delete(done)
        return len(done)

    def _process(self, message: dict[str, Any]) -> bool:
        started = time.perf_counter()
        try:
            self.handler(message["Body"])
        except Exception:
            log.exception(
                "message.failed",
                extra={
                    "message_id": message["MessageId"],
                    "receive_count": message.get("Attributes", {}).get("ApproximateReceiveCount"),
                },
            )
            return False
        log.debug(
            "message.processed",
            extra={
                "message_id": message["MessageId"],
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return True

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        entries = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(messages)
        ]
        response = self.breaker.call(
            self.sqs.delete_message_batch, QueueUrl=self.queue_url, Entries=entries
        )
        for failure in response.get("Failed", []):
            # Not deleted: the message comes back after the visibility timeout.
            message = messages[int(failure["Id"])]
            log.error(
                "message.delete_failed",
                extra={"message_id": message["MessageId"], "code": failure.get("Code")},
            )


def run(settings: Settings) -> int:
    return Worker(settings).run()
