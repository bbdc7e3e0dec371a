"""Users and agencies made with the shared factories: roles, password changes and disabling end
every session (the services the web and the CLI call)."""
from recordsys.core import services
from recordsys.core.models import RoleAssignment
from tests.common.factories import OrganizationFactory, UserFactory, bind


def test_roles_and_session_versions(tx):
    with tx() as session:
        bind(session, OrganizationFactory, UserFactory)
        commune = OrganizationFactory(name="Ủy ban nhân dân xã Đắk Đoa")
        clerk = UserFactory(full_name="Đặng Thị Hương")
        services.grant_role(session, clerk, commune, "clerk")
        assert services.require_org(session, commune.code) is commune
        assert {(a.organization_id, a.role.value) for a in session.query(RoleAssignment).filter_by(user_id=clerk.id)} \
            == {(commune.id, "clerk")}
        before = clerk.session_version or 0
        services.change_password(session, clerk, "mat-khau-moi-2026")
        assert clerk.session_version == before + 1
        assert services.authenticate(session, clerk.username, "mat-khau-moi-2026") is clerk
        services.set_active(session, clerk, False)
        assert clerk.session_version == before + 2
        assert services.authenticate(session, clerk.username, "mat-khau-moi-2026") is None
