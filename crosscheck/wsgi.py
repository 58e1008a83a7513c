from django.core.wsgi import get_wsgi_application

from crosscheck.env import load_server_settings

load_server_settings()

application = get_wsgi_application()
