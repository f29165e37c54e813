"""Copy the pinned npm front-end packages into Jigsaw's static files.

GOV.UK Frontend and MOJ Frontend ship CSS whose fonts and images are addressed at
``/assets/``; Jigsaw serves them under ``/static/vendor/<package>/assets/``, so the
URLs are rewritten as the files are copied.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "jigsaw" / "static" / "vendor"


def copy_package(source: Path, target: Path, files: list[str], *, assets: bool) -> None:
    target.mkdir(parents=True, exist_ok=True)
    url_prefix = f"/static/vendor/{target.name}/assets/"
    for name in files:
        data = (source / name).read_text(encoding="utf-8")
        if name.endswith(".css"):
            data = data.replace("url(/assets/", f"url({url_prefix}")
        (target / name).write_text(data, encoding="utf-8")
    if assets:
        shutil.copytree(source / "assets", target / "assets", dirs_exist_ok=True)


def main() -> int:
    if not NODE.is_dir():
        print("node_modules is missing: run `npm ci` first", file=sys.stderr)
        return 1
    copy_package(
        NODE / "govuk-frontend" / "dist" / "govuk",
        VENDOR / "govuk",
        ["govuk-frontend.min.css", "govuk-frontend.min.js"],
        assets=True,
    )
    copy_package(
        NODE / "@ministryofjustice" / "frontend" / "moj",
        VENDOR / "moj",
        ["moj-frontend.min.css", "moj-frontend.min.js"],
        assets=True,
    )
    copy_package(NODE / "htmx.org" / "dist", VENDOR / "htmx", ["htmx.min.js"], assets=False)
    # Chart.js draws the dashboards' charts from figures the page carries as JSON.
    copy_package(NODE / "chart.js" / "dist", VENDOR / "chartjs", ["chart.umd.min.js"], assets=False)
    print(f"front-end packages copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
