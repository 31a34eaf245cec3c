"""docker-compose.yml and the Dockerfile, checked statically (Docker does not run on the CI machines)."""

import re
import shlex

import pytest
import yaml

from tests.project import PROJECT_ROOT, settings_variables

SERVICES = ("postgres", "redis", "moto", "web", "worker", "beat")
POSTURE_PROCESSES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    return (PROJECT_ROOT / "Dockerfile").read_text()


def command_of(service):
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def healthcheck_command(service):
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test[1:])


def test_the_six_services_each_have_a_healthcheck(compose):
    services = compose["services"]

    assert set(SERVICES) <= set(services)
    for name in SERVICES:
        healthcheck = services[name].get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert healthcheck["test"][0] in ("CMD", "CMD-SHELL"), name
        assert healthcheck_command(services[name]).strip(), name


def test_postgres_keeps_its_data_in_a_named_volume(compose):
    mounts = compose["services"]["postgres"]["volumes"]
    named = [mount.split(":")[0] for mount in mounts if mount.split(":")[1] == "/var/lib/postgresql/data"]

    assert named, "postgres data directory is not mounted"
    assert named[0] in compose["volumes"], "the postgres volume is not a named volume"


def test_posture_processes_use_postgres_and_redis(compose):
    for name in POSTURE_PROCESSES:
        environment = compose["services"][name]["environment"]
        assert environment["DB"] == "postgres", name
        assert environment["DB_HOST"] == "postgres", name
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:"), name
        assert environment["DEBUG"] == "false", name


def test_web_serves_with_gunicorn_after_migrating(compose):
    command = command_of(compose["services"]["web"])

    assert "gunicorn posture.wsgi" in command
    assert command.index("migrate") < command.index("gunicorn")


def test_worker_and_beat_run_celery(compose):
    assert shlex.split(command_of(compose["services"]["worker"]))[:4] == ["celery", "-A", "posture", "worker"]
    assert shlex.split(command_of(compose["services"]["beat"]))[:4] == ["celery", "-A", "posture", "beat"]
    assert compose["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1, "beat must run exactly once"


def test_moto_is_the_demo_aws(compose):
    moto = compose["services"]["moto"]

    assert command_of(moto).startswith("moto_server")
    assert moto["environment"]["MOTO_EC2_LOAD_DEFAULT_AMIS"] == "false"
    for name in POSTURE_PROCESSES:
        assert compose["services"][name]["environment"]["AWS_ENDPOINT_URL"] == "http://moto:5000", name


def test_services_start_in_order(compose):
    web = compose["services"]["web"]["depends_on"]
    assert {name: web[name]["condition"] for name in ("postgres", "redis")} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    for name in ("worker", "beat"):
        assert compose["services"][name]["depends_on"]["web"]["condition"] == "service_healthy", name


def test_compose_sets_only_variables_posture_or_boto3_reads(compose):
    known = settings_variables()
    for name in POSTURE_PROCESSES:
        unknown = {
            variable
            for variable in compose["services"][name]["environment"]
            if variable not in known and not variable.startswith("AWS_")
        }
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_third_party_images_are_pinned(compose):
    for name, service in compose["services"].items():
        if "image" in service and "build" not in service:
            assert re.fullmatch(r"[\w./-]+:[\w.-]+", service["image"]), name
            assert not service["image"].endswith(":latest"), name


def test_dockerfile_builds_a_non_root_gunicorn_image(dockerfile):
    lines = [line.strip() for line in dockerfile.splitlines() if line.strip() and not line.startswith("#")]

    assert lines[0] == "FROM python:3.11-slim"
    assert "pip install -r requirements.txt" in dockerfile
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users, "the image must switch to a non-root user"
    assert users[-1] not in ("root", "0"), "the image must end as a non-root user"
    assert re.search(r"SECRET_KEY=\S+.*\\\s*\n\s*python manage.py collectstatic --noinput", dockerfile), (
        "collectstatic must run at build with a build-time SECRET_KEY"
    )
    cmd = next(line for line in reversed(lines) if line.startswith("CMD "))
    assert "gunicorn" in cmd
    assert "posture.wsgi" in cmd


def test_docker_context_leaves_out_local_state():
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text().split())

    assert {".git", ".venv", "var", ".env"} <= ignored
