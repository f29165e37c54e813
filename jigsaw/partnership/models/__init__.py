"""The partnership's records, one module per part (importing them here registers the models).

- `board`: the board's members and their terms, meetings, attendance, decisions, actions;
- `guidance`: practice notes, procedures and leaflets, their versions, and who has read them.
"""

from jigsaw.partnership.models import board, guidance  # noqa: F401 - imported to register the models
