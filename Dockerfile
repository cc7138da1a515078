# The service image: `docker build -t pasi-concurrent .`; configure it with the settings' environment variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 pasi

WORKDIR /src
COPY . .
RUN pip install --no-cache-dir . && rm -rf /src/build /src/*.egg-info

# The home directory is writable, so the default VAR_DIR (./var) works when no STATE_DB_URL is given.
USER pasi
WORKDIR /home/pasi

EXPOSE 9464
# slim has no curl; follows METRICS_PORT when it is changed.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('METRICS_PORT', '9464'), timeout=4)"

ENTRYPOINT ["pasi-concurrent"]
CMD ["run"]
