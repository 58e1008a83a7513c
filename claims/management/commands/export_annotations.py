import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from claims.exports import DATASETS, csv_chunks, export_formats, filtered

# The address the exported IRIs start with (``--base-url``), unless settings say otherwise.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _filter_parameters(dataset) -> list[str]:
    """The query-string names of a dataset's filters, as the Export page sends them (a
    date range sends two: ``<name>_after`` and ``<name>_before``)."""
    names: list[str] = []
    for name, field in dataset.filterset.base_filters.items():
        widget = field.extra.get("widget") or field.field_class.widget
        suffixes = getattr(widget, "suffixes", None)
        if suffixes:
            names.extend(f"{name}_{suffix}" for suffix in suffixes)
        else:
            names.append(name)
    return names


class Command(BaseCommand):
    help = (
        "Write a dataset (claims, pairs or evidence) as CSV, with the same columns, filters "
        "and bytes as the Export page. Filters take the ids or values the page's form sends, "
        "e.g. --source 3 --topic 7 --q kirov. Other formats (--format, e.g. jsonld: W3C "
        "Web Annotations) write the whole corpus, with the same bytes as their download."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", default="csv", choices=["csv", *export_formats()])
        parser.add_argument("--base-url", help="The site's address, which the IRIs start with "
                            "(jsonld; default: the CROSSCHECK_BASE_URL setting or "
                            f"{DEFAULT_BASE_URL}).")  # fmt: skip
        parser.add_argument("--dataset", choices=sorted(DATASETS), help="Required for csv.")
        parser.add_argument("--output", required=True, help="File to write ('-' for stdout).")
        parser.add_argument("--excel", action="store_true", help="Start with a UTF-8 BOM.")
        seen = set()
        for dataset in DATASETS.values():
            for name in _filter_parameters(dataset):
                if name not in seen:
                    seen.add(name)
                    parser.add_argument(f"--{name.replace('_', '-')}", dest=f"filter_{name}")

    def handle(self, *args, dataset, output, excel, **options):
        if options["format"] != "csv":
            self._write(self._other_format(options, dataset=dataset, excel=excel), output)
            return
        if dataset is None:
            raise CommandError("--dataset is required for CSV (claims, evidence or pairs).")
        chosen = DATASETS[dataset]
        allowed = set(_filter_parameters(chosen))
        data = QueryDict(mutable=True)
        for key, value in options.items():
            if key.startswith("filter_") and value is not None:
                name = key.removeprefix("filter_")
                if name not in allowed:
                    raise CommandError(f"--{name.replace('_', '-')} does not filter {dataset}.")
                data[name] = value
        filterset = filtered(chosen, data)
        if not filterset.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
            raise CommandError(f"Invalid filter: {problems}")
        chunks = csv_chunks(chosen, filterset.qs_gathered(), excel=excel)
        self._write((chunk.encode("utf-8") for chunk in chunks), output)

    def _other_format(self, options, *, dataset, excel):
        """The chunks of a registered format, which takes the whole corpus: no filters."""
        name = options["format"]
        given = [key.removeprefix("filter_") for key, value in options.items()
                 if key.startswith("filter_") and value is not None]  # fmt: skip
        if dataset or excel or given:
            raise CommandError(f"--format {name} writes the whole corpus: leave out --dataset, "
                               "--excel and the filters.")  # fmt: skip
        base = options["base_url"] or getattr(settings, "CROSSCHECK_BASE_URL", DEFAULT_BASE_URL)
        if not re.fullmatch(r"https?://[^\s/?#]+/?", base):
            raise CommandError(f"--base-url must be a site's address such as {DEFAULT_BASE_URL}.")
        return export_formats()[name].chunks(base)

    def _write(self, chunks, output: str) -> None:
        if output == "-":
            for chunk in chunks:
                self.stdout.write(chunk.decode("utf-8"), ending="")
            return
        with open(output, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
