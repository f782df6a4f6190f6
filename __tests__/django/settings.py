"""
The settings of a small real Django project. SECRET_KEY and SECRET_KEY_FALLBACKS come from the
reader that SETTINGS_READER names: readers/<name>.py, each one exactly a README snippet.
"""
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
_reader = importlib.import_module(f"readers.{os.environ['SETTINGS_READER']}")
SECRET_KEY = _reader.SECRET_KEY
SECRET_KEY_FALLBACKS = _reader.SECRET_KEY_FALLBACKS

DEBUG = False
ALLOWED_HOSTS = ["app.example"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
DATABASES = {}
USE_TZ = True
