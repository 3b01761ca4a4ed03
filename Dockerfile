# The Himpun image: one image for the web replicas and the scheduler.
# Build: docker build -t himpun .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HIMPUN_CONFIG_DIR=/app/config \
    HIMPUN_DATA_DIR=/var/lib/himpun \
    HIMPUN_HOST=0.0.0.0 \
    HIMPUN_PORT=8000

WORKDIR /app

# Copy the sources folder by folder so a local .venv or var/ never enters the image.
COPY pyproject.toml README.md scheduler.py ./
COPY harvester ./harvester
COPY connectors ./connectors
COPY index ./index
COPY publish ./publish
COPY web ./web
COPY server ./server
COPY cli ./cli
COPY demo ./demo
COPY config ./config

# An editable install keeps config/ and the reference data at the paths the
# package computes from its own location.
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /var/lib/himpun himpun \
    && mkdir -p /var/lib/himpun \
    && chown himpun /var/lib/himpun

USER himpun
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"

CMD ["himpun", "serve"]
