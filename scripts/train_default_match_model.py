"""Estimate the match model Jigsaw ships with, from the synthetic benchmark corpus.

A new installation has no index to learn from; this model (written to
jigsaw/matching/data/default_model.json) serves until `jigsaw train_match_model` estimates
one from the authority's own person index. Run from the repository root:

    .venv/bin/python scripts/train_default_match_model.py [--entities 20000] [--seed 2009]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2009)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigsaw.settings")
    import django

    django.setup()
    from jigsaw.matching.training import train

    hard_corpus = importlib.import_module("matching_corpus").hard_corpus

    records, _ = hard_corpus(args.entities, args.seed)
    model = train(records, seed=args.seed)
    out = ROOT / "jigsaw" / "matching" / "data" / "default_model.json"
    out.write_text(
        json.dumps(
            {
                "about": f"Estimated by Splink from {len(records)} synthetic records "
                f"(bench/matching_corpus.py, {args.entities} people, seed {args.seed}).",
                "training_records": model.training_records,
                "parameters": model.parameters,
                "term_frequencies": model.term_frequencies,
            },
            indent=1,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)} from {len(records)} records")


if __name__ == "__main__":
    main()
