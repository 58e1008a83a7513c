"""The admin's Export and Import buttons driven as an editor does: export with every column
in a format, then import the file through the preview and its confirmation."""

import io

from django.urls import reverse

from claims.models import Claim, ClaimLink, Evidence, Review
from claims.resources import ClaimResource, EvidenceResource, LinkResource, ReviewResource
from corpus.models import Document, Source
from corpus.resources import DocumentResource, SourceResource
from tests.factories import make_user

# In import order: what a row names must exist before it.
RESOURCES = {
    Source: SourceResource,
    Document: DocumentResource,
    Claim: ClaimResource,
    ClaimLink: LinkResource,
    Evidence: EvidenceResource,
    Review: ReviewResource,
}
# The admin's formats, by their position in its drop-down (crosscheck.admin_import_export).
FORMATS = {"csv": ("0", "csv"), "xlsx": ("1", "xlsx"), "json": ("2", "json")}


def _url(model, action: str) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}")


def admin_export(client, model, name: str) -> bytes:
    """Every ``model`` row, every column, as the admin's Export button gives them."""
    resource = RESOURCES[model]
    prefix = resource.__name__.lower()
    columns = {f"{prefix}_{field}": "on" for field in resource().get_export_order()}
    response = client.post(
        _url(model, "export"), {"format": FORMATS[name][0], "resource": "0", **columns}
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment;"), response.content[:500]
    return response.content


def admin_import(client, model, name: str, data: bytes):
    """Import ``data`` through the preview, then confirm it, keeping the authors and dates
    the file records (reviews need them); the preview's result."""
    upload = io.BytesIO(data)
    upload.name = f"export.{FORMATS[name][1]}"
    preview = client.post(
        _url(model, "import"),
        {
            "import_file": upload,
            "format": FORMATS[name][0],
            "resource": "0",
            "keep_provenance": "on",
        },
    )
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result is not None, preview.context["form"].errors
    assert not result.has_errors() and not result.has_validation_errors(), [
        (row.number, row.error_dict) for row in result.invalid_rows
    ]
    confirm = preview.context["confirm_form"]
    done = client.post(_url(model, "process_import"), {**confirm.initial, "keep_provenance": "on"})
    assert done.status_code == 302
    return result


def round_trip(client, name: str) -> dict:
    """Export every model in the format ``name`` and import each file back, in import
    order: each model's totals (new, update, skip…) as the preview counted them."""
    return {
        model: admin_import(client, model, name, admin_export(client, model, name)).totals
        for model in RESOURCES
    }


def assert_imports_back_unchanged(client, name: str) -> None:
    """As an editor, export every model in the format ``name`` and import it back: every
    row is skipped (none new, none updated), and the database holds what it held."""
    from tests.test_import_export import snapshot

    client.force_login(make_user("editor"))
    before = snapshot()
    for model, totals in round_trip(client, name).items():
        assert totals["new"] == totals["update"] == 0, (model, totals)
        assert totals["skip"] == model.objects.count(), (model, totals)
    assert snapshot() == before
