"""An authentication backend that knows one user, so a login needs no database."""
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import User

# The same user in every process: the session auth hash is an HMAC of its password field.
USER = User(pk=7, username="ada", password="pbkdf2_sha256$1$salt$hash", email="ada@app.example")


class KnownUser(BaseBackend):
    def get_user(self, user_id):
        return USER if str(user_id) == str(USER.pk) else None
