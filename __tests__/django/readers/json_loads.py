import json
import os

SECRET_KEY = os.environ["SECRET_KEY"]
SECRET_KEY_FALLBACKS = json.loads(os.environ.get("SECRET_KEY_FALLBACKS") or "[]")
