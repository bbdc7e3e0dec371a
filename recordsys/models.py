"""Every domain's models, imported in one place so that metadata and migrations see them all."""


def import_all_models():
    import importlib

    from recordsys.domains import model_modules

    for module in model_modules():  # by convention: recordsys/<domain>/models.py
        importlib.import_module(module)
