# Plexus Office: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install . && pip uninstall -y plexus-office

COPY . .
RUN useradd --create-home --uid 1000 plexus \
    && mkdir -p /app/var /app/staticfiles \
    && python bin/compile_messages.py \
    && DJANGO_ENV=development SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
    && chown -R plexus:plexus /app/var /app/staticfiles
USER plexus

EXPOSE 8000
CMD ["gunicorn", "plexus_office.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
