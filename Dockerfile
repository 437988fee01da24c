# RNN Stepper as a container: the Streamlit app on port 8501, CPU-only TensorFlow.
#   docker build -t rnn-stepper .  &&  docker run --rm -p 8501:8501 rnn-stepper
# Works with a read-only root filesystem: it writes only to /tmp (mount a tmpfs there).
# BASE_IMAGE lets a machine without an image registry substitute a locally built
# Python 3.11 image (scripts/build_base_image.sh; see scripts/container_test.sh).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A numeric non-root user (Kubernetes' runAsNonRoot can check a number, not a name),
# with an entry in /etc/passwd for the libraries that look the user up.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer: a code change rebuilds only the layers below.
COPY requirements.txt ./
RUN python -m pip install --no-cache-dir -r requirements.txt

# Run-time settings (after the dependency layer: changing one rebuilds in seconds).
# HOME and every cache point at /tmp, the only writable path at run time. The thread caps
# keep one student's rerun to one core for TensorFlow's kernels and for BLAS, so that a
# classroom's sessions share the cores instead of queueing behind one another. Naming the
# browser address (Streamlit's default, localhost) stops Streamlit from asking an
# internet service for the machine's public address at every start.
ENV HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    XDG_CONFIG_HOME=/tmp/.config \
    MPLCONFIGDIR=/tmp/matplotlib \
    KERAS_HOME=/tmp/keras \
    TF_CPP_MIN_LOG_LEVEL=3 \
    TF_ENABLE_ONEDNN_OPTS=0 \
    TF_NUM_INTRAOP_THREADS=1 \
    TF_NUM_INTEROP_THREADS=2 \
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    STREAMLIT_BROWSER_SERVER_ADDRESS=localhost

# The app, owned by root and read-only for the user that runs it.
COPY app.py ./
COPY .streamlit/ ./.streamlit/
COPY rnn_core/ ./rnn_core/
COPY ui/ ./ui/
COPY pages/ ./pages/

USER 10001:10001

EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; r = u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(r.read() != b'ok')"]

# `python -m ui.serve` runs `streamlit run app.py` with these options and imports
# TensorFlow while the server starts, so the first student does not wait for it.
CMD ["python", "-m", "ui.serve", "--server.address=0.0.0.0", "--server.port=8501"]
