"""The support app's records (importing them here registers the models).

- `tasks`: administrative tasks a social worker delegates on a case, and when each
  requester last looked at theirs.
"""

from jigsaw.support.models.tasks import (
    BOOKING_KINDS,
    OPEN_STATUSES,
    SOCIAL_WORKER_MINUTES_PER_TASK,
    DelegatedTask,
    RequestsLastSeen,
    TaskKind,
    TaskStatus,
)

__all__ = [
    "BOOKING_KINDS",
    "OPEN_STATUSES",
    "SOCIAL_WORKER_MINUTES_PER_TASK",
    "DelegatedTask",
    "RequestsLastSeen",
    "TaskKind",
    "TaskStatus",
]
