from decouple import Csv, config

SECRET_KEY = config("SECRET_KEY")
SECRET_KEY_FALLBACKS = config("SECRET_KEY_FALLBACKS", cast=Csv(), default="")
