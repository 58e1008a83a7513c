from django.core.asgi import get_asgi_application

from crosscheck.env import load_server_settings

load_server_settings()

application = get_asgi_application()
