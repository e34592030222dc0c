"""Push providers for the real-worker tests: they append every send to the file named by
$NOTIFICATIONS_TEST_SENT_LOG (one "message registration" line each, shared by several processes);
the dying one SIGKILLs its own process on the send after $NOTIFICATIONS_TEST_DIE_AFTER sends."""

import os
import signal

from apps.notifications.adapters import Outcome, Result


class RecordingProvider:
    batch_size = 50

    def send(self, *, registration, message) -> Outcome:
        line = f"{message.pk} {registration.pk}\n".encode()
        descriptor = os.open(os.environ["NOTIFICATIONS_TEST_SENT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(descriptor, line)  # in the kernel at once: survives a SIGKILL
        finally:
            os.close(descriptor)
        return Outcome(Result.SENT, "recorded")


class DyingProvider(RecordingProvider):
    sent = 0  # in this worker process

    def send(self, *, registration, message) -> Outcome:
        if DyingProvider.sent >= int(os.environ["NOTIFICATIONS_TEST_DIE_AFTER"]):
            os.kill(os.getpid(), signal.SIGKILL)  # the worker dies mid-chunk, mid-batch
        DyingProvider.sent += 1
        return super().send(registration=registration, message=message)


def sent_log() -> list[tuple[int, str]]:
    with open(os.environ["NOTIFICATIONS_TEST_SENT_LOG"]) as log:
        return [(int(m), r) for m, r in (line.split() for line in log if line.strip())]
