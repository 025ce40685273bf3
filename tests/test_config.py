from api.config import Settings


def test_defaults_point_at_the_real_world():
    s = Settings.from_env({})
    assert s.wayback_url == "https://web.archive.org"
    assert s.allow_private_addresses is False
    assert s.db_path == "clausewatch.db"


def test_environment_then_flags():
    env = {
        "CLAUSEWATCH_WAYBACK_URL": "http://127.0.0.1:9",
        "CLAUSEWATCH_ALLOW_PRIVATE_ADDRESSES": "1",
        "CLAUSEWATCH_DB": "/tmp/x.db",
        "CLAUSEWATCH_PORT": "9000",
    }
    s = Settings.from_env(env)
    assert (s.wayback_url, s.allow_private_addresses, s.db_path, s.port) == (
        "http://127.0.0.1:9",
        True,
        "/tmp/x.db",
        9000,
    )
    s = Settings.from_env(env, wayback_url="http://127.0.0.1:10", db_path=None)
    assert s.wayback_url == "http://127.0.0.1:10"
    assert s.db_path == "/tmp/x.db"
