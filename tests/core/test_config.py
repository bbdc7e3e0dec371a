"""Settings: defaults, ini, environment (which wins), and one-sentence errors."""
import pytest

from recordsys.config import SettingsError, load_settings


def test_environment_wins_and_reaches_any_setting(tmp_path):
    env = {"RECORDSYS_DATA_DIR": str(tmp_path), "RECORDSYS_DATABASE_URL": "postgresql://u@h/db",
           "RECORDSYS_JOBS__IN_PROCESS": "false", "RECORDSYS_PRESERVATION__CYCLE_DAYS": "180"}
    settings = load_settings({"sqlalchemy.url": "sqlite:///ignored.sqlite", "jobs.in_process": "true"}, environ=env)
    assert settings["sqlalchemy.url"] == "postgresql://u@h/db"
    assert settings["jobs.in_process"] == "false" and settings["preservation.cycle_days"] == "180"
    assert settings["recordsys.data_dir"] == str(tmp_path.resolve())
    assert settings["search.fts5_path"] == str(tmp_path.resolve() / "search.sqlite")


def test_defaults(tmp_path):
    settings = load_settings({"recordsys.data_dir": str(tmp_path)}, environ={})
    assert settings["sqlalchemy.url"] == f"sqlite:///{tmp_path.resolve() / 'recordsys.sqlite'}"
    assert settings["search.backend"] == "fts5" and settings["pyramid.default_locale_name"] == "vi"
    assert len(settings["recordsys.secret"]) == 64  # generated once, kept in the data folder
    assert load_settings({"recordsys.data_dir": str(tmp_path)}, environ={})["recordsys.secret"] == settings["recordsys.secret"]


@pytest.mark.parametrize("settings,message", [
    ({"sqlalchemy.url": "not a url"}, "is not a database URL"),
    ({"sqlalchemy.url": "mysql://x@y/z"}, "Unsupported database"),
    ({"search.backend": "solr"}, "search.backend must be"),
])
def test_bad_settings_are_one_sentence(tmp_path, settings, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"recordsys.data_dir": str(tmp_path), **settings}, environ={})
