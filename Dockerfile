# The qualityplan image: web (gunicorn), worker and beat (Celery) all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=qualityplan.settings_production
# gettext: compilemessages needs msgfmt.
# fonts-noto-cjk: the Chinese of the implementation report's charts (reports/charts.py).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client gettext \
    fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic needs settings that import; these throwaway values never reach a container.
# A failure of either step fails the build.
RUN export SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only-xx \
    CELERY_BROKER_URL=redis://build-only:6379/0 CACHE_URL=rediscache://build-only:6379/1 \
    && python manage.py collectstatic --no-input \
    && python manage.py compilemessages -l en
RUN useradd --create-home --uid 1000 qualityplan && mkdir -p /app/media \
    && chown -R qualityplan /app/media
USER qualityplan
EXPOSE 8000
