"""Static checks of the container files: Dockerfile, .dockerignore, compose.yaml and
deploy/k8s. They agree with each other and with the repository (what the image copies
exists; every package the app needs is copied). The image itself is built, run and
checked by `make container-test` (scripts/container_test.sh)."""

import json
import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEALTH_PATH = "/_stcore/health"
PORT = 8501
# Top-level folders with Python that the app does not need at run time.
NOT_IN_IMAGE = {"tests", "bench", "scripts", "deploy"}


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def args_of(name: str) -> list[str]:
    return [rest for word, rest in instructions() if word == name]


def env() -> dict[str, str]:
    values = {}
    for rest in args_of("ENV"):
        for item in shlex.split(rest):
            key, _, value = item.partition("=")
            values[key] = value
    return values


def health_command() -> list[str]:
    (rest,) = args_of("HEALTHCHECK")
    return json.loads(rest[rest.index("CMD") + 3 :])


def image_uid() -> int:
    (user,) = args_of("USER")
    return int(user.split(":")[0])


def copied_sources() -> list[str]:
    sources = []
    for rest in args_of("COPY"):
        parts = [p for p in shlex.split(rest) if not p.startswith("--")]
        sources += parts[:-1]
    return sources


def test_base_image_is_a_build_argument_before_from():
    steps = instructions()
    assert steps[0] == ("ARG", "BASE_IMAGE=python:3.11-slim")
    assert steps[1] == ("FROM", "${BASE_IMAGE}")
    assert [word for word, _ in steps].count("FROM") == 1


def test_dependencies_install_in_their_own_layer_before_the_code():
    steps = instructions()
    copies = [i for i, (word, _) in enumerate(steps) if word == "COPY"]
    assert steps[copies[0]] == ("COPY", "requirements.txt ./")
    (pip,) = [i for i, (w, rest) in enumerate(steps) if w == "RUN" and "pip" in rest]
    assert copies[0] < pip < copies[1]
    assert "--no-cache-dir -r requirements.txt" in steps[pip][1]
    assert "requirements-dev" not in (REPO / "Dockerfile").read_text(encoding="utf-8")


def test_the_image_copies_what_exists_and_every_package_the_app_needs():
    sources = copied_sources()
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: no such path in the repo"
    copied = {s.strip("/").split("/")[0] for s in sources}
    assert {"app.py", "pages", "ui", "rnn_core", ".streamlit"} <= copied
    packages = {
        p.parent.name
        for p in REPO.glob("*/__init__.py")
        if p.parent.name not in NOT_IN_IMAGE
    }
    missing = packages - copied
    assert not missing, f"packages not copied into the image: {missing}"


def test_dockerignore_keeps_local_state_out_and_the_app_in():
    ignored = {
        line.strip().strip("/")
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", ".pytest_cache", ".ruff_cache", ".hypothesis"} <= ignored
    assert "**/__pycache__" in ignored
    for source in copied_sources():
        assert source.strip("/").split("/")[0] not in ignored, source


def test_runs_as_a_numeric_non_root_user_with_writable_paths_only_in_tmp():
    assert image_uid() > 0
    variables = env()
    for name in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR"):
        assert variables[name].startswith("/tmp"), name
    assert variables["KERAS_HOME"].startswith("/tmp")


def test_thread_counts_are_capped_for_tensorflow_and_blas():
    variables = env()
    assert variables["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert variables["TF_ENABLE_ONEDNN_OPTS"] == "0"
    for name in (
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
    ):
        assert 1 <= int(variables[name]) <= 2, name


def server_environment() -> dict[str, str]:
    """ui/serve.py's SERVER_ENVIRONMENT, read without importing it (importing would
    set the variables in this test process)."""
    import ast

    tree = ast.parse((REPO / "ui" / "serve.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", None) == "SERVER_ENVIRONMENT"
            for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("ui/serve.py has no SERVER_ENVIRONMENT")


def test_make_run_and_the_image_cap_threads_alike():
    """`make run` (ui.serve) sets the same quiet-TensorFlow and thread caps as the
    image, so a laptop measures what a classroom server does."""
    variables = env()
    expected = server_environment()
    assert "OPENBLAS_NUM_THREADS" in expected
    assert {name: variables.get(name) for name in expected} == expected


def test_serves_streamlit_on_8501_with_an_exec_form_healthcheck():
    assert args_of("EXPOSE") == [str(PORT)]
    (cmd,) = args_of("CMD")
    # ui.serve is `streamlit run app.py` with TensorFlow imported as it starts.
    assert json.loads(cmd) == [
        "python",
        "-m",
        "ui.serve",
        "--server.address=0.0.0.0",
        f"--server.port={PORT}",
    ]
    command = health_command()
    assert command[:2] == ["python", "-c"]
    assert f"http://127.0.0.1:{PORT}{HEALTH_PATH}" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")


# --------------------------------------------------------------------------------------
# compose.yaml and deploy/k8s (parsed with PyYAML when it is installed).


def load_yaml(path: str) -> list[dict]:
    yaml = pytest.importorskip("yaml")
    with open(REPO / path, encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def test_compose_starts_the_app_read_only_with_limits_and_the_healthcheck():
    (compose,) = load_yaml("compose.yaml")
    (service,) = compose["services"].values()
    assert service["build"]["context"] == "."
    assert "BASE_IMAGE" in service["build"]["args"]
    assert any(str(p).endswith(f":{PORT}") for p in service["ports"])
    assert service["read_only"] is True
    assert any(t.split(":")[0] == "/tmp" for t in service["tmpfs"])
    assert service["mem_limit"]
    assert float(service["cpus"]) > 0
    assert service["restart"] in ("unless-stopped", "always")
    kind, shell = service["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    assert shlex.split(shell) == health_command()


def test_kubernetes_deployment_probes_limits_and_security():
    (deployment,) = load_yaml("deploy/k8s/deployment.yaml")
    assert deployment["kind"] == "Deployment"
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == image_uid()
    (container,) = pod["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == HEALTH_PATH, probe
        assert ports.get(get["port"], get["port"]) == PORT, probe
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind]), kind
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    (tmp,) = [name for name, path in mounts.items() if path == "/tmp"]
    assert "emptyDir" in volumes[tmp]


def test_kubernetes_service_is_sticky_and_selects_the_deployment():
    (deployment,) = load_yaml("deploy/k8s/deployment.yaml")
    (service,) = load_yaml("deploy/k8s/service.yaml")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["sessionAffinity"] == "ClientIP"
    assert service["spec"]["selector"].items() <= labels.items()
    (port,) = service["spec"]["ports"]
    assert port["targetPort"] in ("http", PORT)
    (kustomization,) = load_yaml("deploy/k8s/kustomization.yaml")
    for resource in kustomization["resources"]:
        assert (REPO / "deploy/k8s" / resource).is_file(), resource
