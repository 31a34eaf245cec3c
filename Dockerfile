# One image for every Posture process: web (gunicorn), worker and beat (celery), and the demo's moto server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF reports) needs Pango; libharfbuzz-subset0 lets it subset fonts; a font so pages render.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into the image (WhiteNoise serves them). Settings refuse to load without a
# SECRET_KEY when DEBUG is off, so the build gets a throwaway one that never reaches a running container.
RUN DEBUG=false SECRET_KEY=build-time-only-not-used-at-runtime CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput

# Never run as root. var/ holds beat's schedule file and the SQLite file when no PostgreSQL is configured.
RUN useradd --system --create-home --uid 10001 posture \
    && mkdir -p /app/var \
    && chown -R posture:posture /app/var
USER posture

EXPOSE 8000
CMD ["gunicorn", "posture.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
