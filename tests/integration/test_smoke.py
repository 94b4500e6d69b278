from tests.integration.conftest import Stack


def test_r6_register_confirm_login_smoke(stack: Stack) -> None:
    org = stack.organization()
    practitioner = stack.staff(org, roles=["practitioner"])
    r = stack.register(
        org.org["slug"],
        practitioner_id=practitioner.staff_id,
        username="robin1",
        email="robin@mail.example",
    )
    assert r.status == 202, r.body
    token = stack.link_token("robin@mail.example")
    c = stack.confirm(token)
    assert c.status == 200, c.body
    assert stack.login("robin1", app="care_app")["IdToken"]
