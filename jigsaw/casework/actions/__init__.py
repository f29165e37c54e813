"""The only code that changes casework records, one module per part of the journey
(as Zulip's zerver/actions). Each action names the statutory or policy rule it enforces."""

from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.front_door import authorise_decision, decide_contact, record_contact

__all__ = ["EditConflict", "authorise_decision", "decide_contact", "record_contact"]
