from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from claims.exports import DATASETS, csv_chunks, filtered


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
        "e.g. --source 3 --topic 7 --q kirov."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", required=True, choices=sorted(DATASETS))
        parser.add_argument("--output", required=True, help="File to write ('-' for stdout).")
        parser.add_argument("--excel", action="store_true", help="Start with a UTF-8 BOM.")
        seen = set()
        for dataset in DATASETS.values():
            for name in _filter_parameters(dataset):
                if name not in seen:
                    seen.add(name)
                    parser.add_argument(f"--{name.replace('_', '-')}", dest=f"filter_{name}")

    def handle(self, *args, dataset, output, excel, **options):
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
        if output == "-":
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        with open(output, "wb") as file:
            for chunk in chunks:
                file.write(chunk.encode("utf-8"))
