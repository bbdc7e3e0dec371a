"""Agencies, users, roles, security and the audit chain."""


def includeme(config):
    config.include("recordsys.core.security")
    config.include("recordsys.core.limits")
