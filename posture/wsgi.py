import os

from django.core.wsgi import get_wsgi_application

from posture import heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posture.settings")
application = get_wsgi_application()
heap.settle()
