"""The OpenAPI document, built from the registered routes and views (never written by hand)."""
from __future__ import annotations

import re

from pyramid.security import NO_PERMISSION_REQUIRED

import recordsys

_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def query_parameters(**params: str):
    """Declare a view's query parameters for the OpenAPI document: name="description"."""
    def decorate(fn):
        fn.openapi_query = params
        return fn
    return decorate


def api_operations(registry):
    """(path, method, view introspectable, permission, route name) for every /api/ view."""
    introspector = registry.introspector
    for route_intr in introspector.get_category("routes") or []:
        route = route_intr["introspectable"]
        pattern = route["pattern"]
        if not pattern.startswith("/api/"):
            continue
        for related in introspector.related(route):
            if related.category_name != "views":
                continue
            methods = related["request_methods"] or ("GET",)
            if isinstance(methods, str):
                methods = (methods,)
            permission = next(
                (p["value"] for p in introspector.related(related) if p.category_name == "permissions"),
                None,
            )
            for method in methods:
                yield _PARAM.sub(r"{\1}", pattern), method.lower(), related, permission, route["name"]


def build_openapi(request) -> dict:
    paths: dict = {}
    for path, method, view, permission, route_name in api_operations(request.registry):
        doc = (view["callable"].__doc__ or route_name).strip()
        op = {
            "operationId": route_name + ("" if method == "get" else f".{method}"),
            "summary": doc.splitlines()[0],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "default": {"description": "Error", "content": {"application/problem+json": {}}},
            },
            "x-permission": permission if _protected(permission) else "public",
        }
        parameters = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                      for p in _PARAM.findall(path)]
        parameters += [{"name": name, "in": "query", "required": False, "description": text,
                        "schema": {"type": "string"}}
                       for name, text in getattr(view["callable"], "openapi_query", {}).items()]
        if parameters:
            op["parameters"] = parameters
        if _protected(permission):
            op["security"] = [{"bearer": []}, {"cookie": []}]
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "recordsys API", "version": recordsys.__version__},
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "recordsys_session"},
            }
        },
    }


def _protected(permission) -> bool:
    return isinstance(permission, str) and permission != NO_PERMISSION_REQUIRED
