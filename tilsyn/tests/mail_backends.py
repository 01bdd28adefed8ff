"""A stand-in for a mail server that fails part-way: the outside world, not our code."""

from __future__ import annotations

from django.core.mail.backends.locmem import EmailBackend


class FailOnceAfterBackend(EmailBackend):
    """Delivers like the locmem backend, but the message number `fail_at` raises once."""

    fail_at = 2
    _count = 0
    _failed = False

    def send_messages(self, messages):
        for message in messages:
            type(self)._count += 1
            if type(self)._count == self.fail_at and not type(self)._failed:
                type(self)._failed = True
                raise ConnectionError("SMTP server went away")
            super().send_messages([message])
        return len(messages)
