"""The public dataset page.

`/dataset/{id}` belongs to the DCAT routes, which negotiate between RDF and
HTML and return 404 for anything not public. When HTML wins they call
`app.state.dataset_html(request, dataset)`, which `web.routes.install`
points at `dataset_html` below.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.responses import Response

from harvester.model import PublishedDataset
from harvester.quality import load_link_results, score
from web.deps import get_services
from web.jsonld import schema_org_dataset
from web.labels import vocabulary_labels
from web.templating import render


def source_names(request: Request) -> dict[str, str]:
    return {source.id: source.name for source in get_services(request).sources}


def dataset_html(request: Request, dataset: PublishedDataset) -> Response:
    """Render the page of a public dataset; any other dataset gets a 404 without its title."""
    if not dataset.is_public:
        raise HTTPException(status_code=404, detail="Not Found")

    settings = get_services(request).settings
    links = load_link_results(settings.data_dir)
    page_url = f"{settings.base_url.rstrip('/')}/dataset/{dataset.id}"

    labels = vocabulary_labels(request)
    record = dataset.record
    context = {
        "dataset": dataset,
        "record": record,
        "themes": labels.shown_themes(record.themes),
        "frequency": labels.frequency(record.frequency) if record.frequency else None,
        "quality": score(dataset, links),
        "source_names": source_names(request),
        "json_ld": schema_org_dataset(dataset, page_url),
    }
    response = render(request, "dataset.html", context)
    response.headers["Vary"] = "Accept, Cookie"
    return response
