"""Oversight's records, one module per part (importing them here registers the models).

- `supervision`: case supervision and how often each open case must have it;
- `audits`: case file audit programmes, audits, moderation and findings;
- `section11`: the partnership's section 11 self-assessment rounds;
- `practice_reviews`: child safeguarding practice reviews, from decision to publication;
- `recommendations`: recommendation sets from any source, responses, actions, progress;
- `training`: courses, sessions, attendance and refreshers.
"""

from jigsaw.quality.models import (  # noqa: F401 - imported to register the models
    audits,
    practice_reviews,
    recommendations,
    section11,
    supervision,
    training,
)
