"""
Signs values the way a Django app does, or checks them, with the settings this process reads.

  python3 interop.py sign    -> prints the signed values as JSON
  python3 interop.py verify  -> reads them on stdin, prints which still validate, the fallbacks
                                Django read (as SHA-256 hex digests) and the deploy check IDs
"""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.tokens import PasswordResetTokenGenerator  # noqa: E402
from django.contrib.messages import constants  # noqa: E402
from django.contrib.messages.storage.base import Message  # noqa: E402
from django.contrib.messages.storage.cookie import CookieStorage  # noqa: E402
from django.contrib.sessions.backends.signed_cookies import SessionStore  # noqa: E402
from django.core import checks, signing  # noqa: E402
from django.http import HttpRequest  # noqa: E402

# An unsaved user is enough: reset tokens hash its pk, password, last login and email.
USER = User(pk=7, username="ada", password="pbkdf2_sha256$1$salt$hash", email="ada@app.example")


def sign():
    session = SessionStore()
    session["user_id"] = 7
    session.save()
    return {
        "signing.dumps": signing.dumps({"order": 42}),
        "TimestampSigner": signing.TimestampSigner().sign("download-42"),
        "signed_cookies session": session.session_key,
        "PasswordResetTokenGenerator": PasswordResetTokenGenerator().make_token(USER),
        "messages cookie": CookieStorage(HttpRequest())._encode([Message(constants.INFO, "Saved")]),
    }


def verify(signed):
    def valid(check):
        try:
            return bool(check())
        except signing.BadSignature:
            return False

    results = {
        "signing.dumps": valid(lambda: signing.loads(signed["signing.dumps"]) == {"order": 42}),
        "TimestampSigner": valid(lambda: signing.TimestampSigner().unsign(signed["TimestampSigner"]) == "download-42"),
        "signed_cookies session": valid(
            lambda: SessionStore(session_key=signed["signed_cookies session"]).load() == {"user_id": 7}
        ),
        "PasswordResetTokenGenerator": valid(
            lambda: PasswordResetTokenGenerator().check_token(USER, signed["PasswordResetTokenGenerator"])
        ),
        "messages cookie": valid(
            lambda: [m.message for m in CookieStorage(HttpRequest())._decode(signed["messages cookie"]) or []] == ["Saved"]
        ),
    }
    return {
        "valid": results,
        "secret_key": digest(settings.SECRET_KEY),
        "fallbacks": [digest(key) for key in settings.SECRET_KEY_FALLBACKS],
        "deploy_checks": sorted({message.id for message in checks.run_checks(include_deployment_checks=True)}),
    }


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


if __name__ == "__main__":
    if sys.argv[1] == "sign":
        print(json.dumps(sign()))
    else:
        print(json.dumps(verify(json.load(sys.stdin))))
