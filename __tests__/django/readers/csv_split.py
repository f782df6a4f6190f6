import os

SECRET_KEY = os.environ["SECRET_KEY"]
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
