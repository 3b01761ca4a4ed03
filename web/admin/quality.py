"""The quality dashboard: mean score of the public datasets per Walidata and per OPD, now and over time."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from harvester.quality import load_link_results
from harvester.quality.history import QualityHistory, compute_snapshot
from web.admin.charts import bar_chart, line_chart
from web.deps import get_services
from web.admin.auth import require_operator
from web.templating import render

router = APIRouter(prefix="/admin")

QUALITY_HISTORY_FILE = "quality-history.json"
CHART_GROUPS = 15


def quality_history(request: Request) -> QualityHistory:
    return QualityHistory(get_services(request).settings.data_dir / QUALITY_HISTORY_FILE)


@router.get("/quality", name="admin_quality")
def quality_page(request: Request, session: dict[str, str] = Depends(require_operator)) -> Response:
    services = get_services(request)
    history = quality_history(request)
    # Older snapshots also counted withdrawn datasets; mixing them in would skew the trend.
    snapshots = [snapshot for snapshot in history.load() if snapshot.public_only]
    today = dt.datetime.now(dt.UTC).date()

    # The first view of a day scores the public datasets once and records the result.
    # TODO: move the daily snapshot into the scheduler so no page view pays for it.
    if not snapshots or snapshots[-1].day != today:
        links = load_link_results(services.settings.data_dir)
        snapshot = compute_snapshot(services.store.iter_datasets(public_only=True), today, links)
        history.record(snapshot)
        snapshots = [snapshot for snapshot in history.load() if snapshot.public_only]

    latest = snapshots[-1]
    context = {
        "latest": latest,
        "publisher_chart": bar_chart([(group.label, group.percent) for group in latest.by_publisher[:CHART_GROUPS]]),
        "creator_chart": bar_chart([(group.label, group.percent) for group in latest.by_creator[:CHART_GROUPS]]),
        "trend_chart": line_chart([(snapshot.day.isoformat(), snapshot.overall) for snapshot in snapshots[-30:]]),
        "session": session,
    }
    return render(request, "admin/quality.html", context)
