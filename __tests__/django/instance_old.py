"""
An instance still running with the settings it was deployed with before: its two secrets come from
OLD_SECRET_KEY and OLD_SECRET_KEY_FALLBACKS, read by the README's JSON snippet.
"""
import os

os.environ["SETTINGS_READER"] = "json_loads"
os.environ["SECRET_KEY"] = os.environ["OLD_SECRET_KEY"]
os.environ["SECRET_KEY_FALLBACKS"] = os.environ["OLD_SECRET_KEY_FALLBACKS"]

from settings import *  # noqa: E402,F401,F403

AUTHENTICATION_BACKENDS = ["known_user.KnownUser"]
