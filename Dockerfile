# labourwatch service image: slim Python, non-root user, dependencies from the lock (constraints.txt).
# Build: docker build -t labourwatch .      Run: docker run -p 8000:8000 -e LABOURWATCH_DATABASE_URL=... labourwatch
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LABOURWATCH_HOST=0.0.0.0 \
    LABOURWATCH_DATA_DIR=/var/lib/labourwatch

# Pango for PDF reports (WeasyPrint) and Noto CJK so Chinese text renders in them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system labourwatch && useradd --system --gid labourwatch --home /app labourwatch \
    && mkdir -p /var/lib/labourwatch && chown labourwatch:labourwatch /var/lib/labourwatch

WORKDIR /app
COPY pyproject.toml constraints.txt README.md alembic.ini thresholds.yaml ./
COPY service ./service
COPY models ./models
COPY ingestion ./ingestion
COPY migrations ./migrations
RUN pip install -c constraints.txt -e .

USER labourwatch
EXPOSE 8000
# Migrate and load registries, then serve. The scheduler runs as its own container: `labourwatch scheduler`.
CMD ["sh", "-c", "labourwatch db upgrade && exec labourwatch serve"]
