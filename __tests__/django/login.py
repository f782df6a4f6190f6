"""
One request to one instance (DJANGO_SETTINGS_MODULE names it): checks whether the session cookie
it is given (stdin: {"session": ... or null}) still logs the user in, the way Django's own
django.contrib.auth.get_user decides it (signature, then the session auth hash, each with the
fallbacks), then logs the user in afresh and prints the new session cookie.

  DJANGO_SETTINGS_MODULE=instance_old python3 login.py < request.json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user  # noqa: E402
from django.contrib.sessions.backends.signed_cookies import SessionStore  # noqa: E402
from django.http import HttpRequest  # noqa: E402

from known_user import USER  # noqa: E402


def logged_in(cookie):
    request = HttpRequest()
    request.session = SessionStore(session_key=cookie)
    return get_user(request).is_authenticated


def log_in():
    # What django.contrib.auth.login stores, without the last_login update that needs a database.
    session = SessionStore()
    session[SESSION_KEY] = str(USER.pk)
    session[BACKEND_SESSION_KEY] = "known_user.KnownUser"
    session[HASH_SESSION_KEY] = USER.get_session_auth_hash()
    session.save()
    return session.session_key


if __name__ == "__main__":
    given = json.load(sys.stdin).get("session")
    print(json.dumps({"valid": None if given is None else logged_in(given), "session": log_in()}))
