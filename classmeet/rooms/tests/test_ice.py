import base64
import hashlib
import hmac

from classmeet.rooms.ice import ice_servers_for, ice_transport_policy, turn_credentials


def test_no_ice_servers_by_default(settings):
    settings.CLASSMEET_STUN_URLS = []
    settings.CLASSMEET_TURN_URLS = []
    settings.CLASSMEET_TURN_SECRET = ""
    assert ice_servers_for(user_id=7) == []


def test_stun_urls_come_from_settings(settings):
    settings.CLASSMEET_STUN_URLS = ["stun:stun.example.test:3478"]
    settings.CLASSMEET_TURN_URLS = []
    assert ice_servers_for(user_id=7) == [{"urls": ["stun:stun.example.test:3478"]}]


def test_turn_without_a_secret_is_left_out(settings):
    settings.CLASSMEET_STUN_URLS = []
    settings.CLASSMEET_TURN_URLS = ["turn:turn.example.test:3478"]
    settings.CLASSMEET_TURN_SECRET = ""
    assert ice_servers_for(user_id=7) == []


def test_turn_credentials_follow_coturns_rest_format(settings):
    settings.CLASSMEET_TURN_SECRET = "s3cret"
    settings.CLASSMEET_TURN_TTL_SECONDS = 3600
    username, password = turn_credentials(user_id=42, now=1_700_000_000)
    assert username == "1700003600:42"
    expected = hmac.new(b"s3cret", b"1700003600:42", hashlib.sha1).digest()
    assert base64.b64decode(password) == expected


def test_turn_credentials_differ_per_user_and_secret(settings):
    settings.CLASSMEET_TURN_SECRET = "one"
    a = turn_credentials(user_id=1, now=0)
    b = turn_credentials(user_id=2, now=0)
    settings.CLASSMEET_TURN_SECRET = "two"
    c = turn_credentials(user_id=1, now=0)
    assert len({a[1], b[1], c[1]}) == 3


def test_turn_server_entry_carries_time_limited_credentials(settings):
    settings.CLASSMEET_STUN_URLS = ["stun:turn.example.test:3478"]
    settings.CLASSMEET_TURN_URLS = [
        "turn:turn.example.test:3478?transport=udp",
        "turn:turn.example.test:3478?transport=tcp",
    ]
    settings.CLASSMEET_TURN_SECRET = "s3cret"
    stun, turn = ice_servers_for(user_id=5)
    assert stun == {"urls": ["stun:turn.example.test:3478"]}
    assert turn["urls"] == settings.CLASSMEET_TURN_URLS
    expiry, user = turn["username"].split(":")
    assert user == "5"
    assert int(expiry) > 0
    digest = hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()


def test_relay_only_setting_forces_relay(settings):
    settings.CLASSMEET_ICE_RELAY_ONLY = False
    assert ice_transport_policy() == "all"
    settings.CLASSMEET_ICE_RELAY_ONLY = True
    assert ice_transport_policy() == "relay"
