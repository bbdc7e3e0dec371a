"""Every domain's models, imported in one place so that metadata and migrations see them all."""


def import_all_models():
    import importlib

    import recordsys.core.models  # noqa: F401

    for module in MODEL_MODULES:
        importlib.import_module(module)


#: model modules of the domains, added as they land
MODEL_MODULES: list[str] = [
    "recordsys.ingest.models",
    "recordsys.search.models",
    "recordsys.jobs",
    "recordsys.preservation.models",
    "recordsys.dossiers.models",
]
