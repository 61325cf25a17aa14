# labourwatch: one image for the API, the scheduler and one-off commands (docker-compose.yml).
# Minimal on purpose; the scale-out work may replace it. Installs exactly the lock (constraints.txt).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint (PDF reports) needs Pango; CJK fonts so Chinese renders in reports.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md alembic.ini thresholds.yaml ./
COPY service ./service
COPY models ./models
COPY ingestion ./ingestion
COPY migrations ./migrations
# Editable install: migrations/ and alembic.ini are found next to the package (service/db/migrate.py).
RUN pip install --no-cache-dir -c constraints.txt -e . && useradd --create-home labourwatch
USER labourwatch
EXPOSE 8000
CMD ["labourwatch", "serve", "--host", "0.0.0.0", "--port", "8000"]
