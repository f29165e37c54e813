"""The voice app's records, one module per part (importing them here registers the models).

- `feedback`: what a child or their family said about a conference or the end of an
  episode, given on paper or through a single-use link, and the themes staff tagged;
- `advocacy`: whether the parents were offered an advocate for a conference, and whether
  one came.
"""

from jigsaw.voice.models import advocacy, feedback  # noqa: F401 - imported to register the models
