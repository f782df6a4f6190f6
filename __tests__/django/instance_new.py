"""
An instance deployed from the secrets as they are later in the same rollout: its two secrets come
from NEW_SECRET_KEY and NEW_SECRET_KEY_FALLBACKS, read by the README's JSON snippet.
"""
import os

os.environ["SETTINGS_READER"] = "json_loads"
os.environ["SECRET_KEY"] = os.environ["NEW_SECRET_KEY"]
os.environ["SECRET_KEY_FALLBACKS"] = os.environ["NEW_SECRET_KEY_FALLBACKS"]

from settings import *  # noqa: E402,F401,F403

AUTHENTICATION_BACKENDS = ["known_user.KnownUser"]
