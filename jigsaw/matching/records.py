"""The one shape of a record the matcher compares, whatever it came from.

A person in the index, a contact typed at the front door, a partner's feed row and a
line of a data officer's CSV all become a `MatchRecord` before they are compared, so that
one set of comparisons (and one trained model) serves them all.
"""

from __future__ import annotations

import dataclasses
import datetime


@dataclasses.dataclass(frozen=True)
class MatchRecord:
    record_id: str
    given_name: str = ""
    family_name: str = ""
    # Other names the person has gone by: previous surnames, aliases, names at birth,
    # each "Given Family" or a family name alone.
    other_names: tuple[str, ...] = ()
    dob: datetime.date | None = None
    dob_estimated: bool = False
    sex: str = ""  # "M", "F"; anything else is missing
    postcode: str = ""
    address: str = ""
    previous_postcodes: tuple[str, ...] = ()
    previous_addresses: tuple[str, ...] = ()
    nhs_number: str = ""
    upn: str = ""
