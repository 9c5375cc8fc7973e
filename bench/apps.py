from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark (``make bench``): an app only for its ``bench_data`` command; no models. It stands outside
    the layers of the import contract (like ``config`` and the tests) and may read every app."""

    name = "bench"
    verbose_name = "Benchmark"
