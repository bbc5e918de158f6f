"""One image for JupyterHub, Codespaces and Binder; the commands without make; an envcheck that names its Python.

No container engine runs in the test suite: these tests read the files the engines read (the Dockerfile,
devcontainer.json, the instructor guide's Zero-to-JupyterHub values) and check what each promises.
"""

import json
import re
import shlex
import subprocess
import sys
import venv

import pytest
import yaml

import ragft.__main__ as cli
from ragft import ROOT
from ragft.course import envcheck

START_URL = "/lab/tree/notebooks/00_start_here.ipynb"


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    rows = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(row.split(None, 1)[0].upper(), row.split(None, 1)[1]) for row in rows]


def _args(name: str) -> list[str]:
    return [args for instruction, args in _instructions() if instruction == name]


def _makefile_recipe(target: str) -> list[list[str]]:
    """The commands of one Makefile target, $(PY) and the repository's paths spelled out."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        if line.lstrip().startswith("$(PY)"):
            words = shlex.split(line.strip().replace("$(PY)", sys.executable))
            recipe.append([{"requirements.txt": str(ROOT / "requirements.txt"),
                           "requirements-nodeps.txt": str(ROOT / "requirements-nodeps.txt"), ".": str(ROOT)}.get(w, w) for w in words])
    return recipe


# --- the image ------------------------------------------------------------------------------------

def test_the_image_meets_binders_rules_for_a_dockerfile():
    base = _args("FROM")
    assert len(base) == 1 and ":" in base[0] and not base[0].endswith(":latest"), f"FROM needs a fixed tag: {base}"
    assert "NB_UID=1000" in _args("ARG") and "NB_USER=jovyan" in _args("ARG")
    assert not _args("ENTRYPOINT"), "Binder and JupyterHub pass their own command; an ENTRYPOINT must not swallow it"
    assert _args("USER")[-1] not in ("root", "0"), "the image must end as the notebook user"
    assert any("HOME=/home/${NB_USER}" in env for env in _args("ENV"))
    # repo2docker reads a binder/ folder instead of the root: the Dockerfile would be ignored on Binder.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()


def test_the_image_installs_the_pinned_environment_with_a_cpu_torch_first():
    runs = " && ".join(_args("RUN"))
    torch_step = runs.index("--index-url https://download.pytorch.org/whl/cpu")
    assert torch_step < runs.index("-r /tmp/requirements.txt"), "torch must come from the CPU index before the pins"
    pin = re.search(r"grep -o '([^']+)' /tmp/requirements\.txt", runs).group(1)
    assert re.findall(pin, (ROOT / "requirements.txt").read_text(), re.M) == ["torch==2.13.0"]
    assert "COPY requirements.txt /tmp/requirements.txt" in [f"COPY {a}" for a in _args("COPY")]
    assert re.search(r'"jupyterhub==\$\{JUPYTERHUB_VERSION\}"', runs)
    assert re.search(r"ARG JUPYTERHUB_VERSION=\d+\.\d+\.\d+", (ROOT / "Dockerfile").read_text())
    assert "pip install --no-cache-dir --no-deps -e ${HOME}" in runs, "the course package is installed as make does"


def test_the_image_runs_the_same_python_as_the_conda_environment():
    conda_python = re.search(r"^\s*-\s*python=(\d+\.\d+)", (ROOT / "environment.yml").read_text(), re.M).group(1)
    assert _args("FROM")[0].startswith(f"python:{conda_python}-")


def test_the_images_command_opens_the_course():
    command = json.loads(_args("CMD")[-1])
    assert command[:4] == ["python", "-m", "ragft", "lab"] and "--ip=0.0.0.0" in command
    assert f"--LabApp.default_url={START_URL}" in cli.COMMANDS["lab"]


def test_the_image_leaves_local_builds_and_the_learners_results_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "build", ".git", "results/*", "!results/shipped"} <= set(ignored)


def test_the_dev_container_builds_the_same_image_and_opens_the_course():
    config = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    assert config["build"] == {"dockerfile": "../Dockerfile", "context": ".."}
    assert config["postCreateCommand"] == "python -m pip install --no-cache-dir --no-deps -e ."
    assert config["customizations"]["codespaces"]["openFiles"] == [f"notebooks/{START_URL.rsplit('/', 1)[1]}"]
    assert (ROOT / config["customizations"]["codespaces"]["openFiles"][0]).exists()


def test_the_binder_badge_opens_the_start_notebook():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)\s]+\)", readme)
    assert badge and badge.group(0).endswith(f"?urlpath={START_URL.lstrip('/')})")


def _hub_values() -> dict:
    guide = (ROOT / "lessons" / "instructor_guide.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", guide, re.S).group(1)
    return yaml.safe_load(block)


def _peaks_mb(figures) -> list[float]:
    """Every peak memory figure in `make bench`'s results (keys like peak_rss_mb, notebook_peak_mb), in MB."""
    if not isinstance(figures, dict):
        return []
    found = []
    for key, value in figures.items():
        if "peak" in key and key.endswith("_mb"):
            found += list(value.values()) if isinstance(value, dict) else [value]
        else:
            found += _peaks_mb(value)
    return [float(v) for v in found if isinstance(v, (int, float))]


def _gigabytes(quantity: str) -> float:
    return float(quantity.rstrip("G"))


def test_the_jupyterhub_values_use_the_image_and_cover_the_measured_peak():
    user = _hub_values()["singleuser"]
    assert user["image"]["tag"] != "latest" and user["defaultUrl"] == START_URL
    assert 1 <= user["cpu"]["guarantee"] <= user["cpu"]["limit"]
    guarantee, limit = _gigabytes(user["memory"]["guarantee"]), _gigabytes(user["memory"]["limit"])
    assert guarantee >= 1.5 and limit >= guarantee + 0.5, "room for the server and a second kernel above the peak"
    benchmark = ROOT / "results" / "benchmark.json"
    if benchmark.exists():  # after `make bench`: the guarantee must cover every peak it measured
        peaks = _peaks_mb(json.loads(benchmark.read_text()))
        assert all(peak / 1024 <= guarantee for peak in peaks), f"peaks {peaks} MB over the guarantee {guarantee} GB"
    copy_back = " ".join(user["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "/opt/course/." in copy_back and "COPY . /opt/course" in [f"COPY {a}" for a in _args("COPY")]


# --- the commands without make --------------------------------------------------------------------

@pytest.fixture
def calls(monkeypatch):
    made = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command, **kw: made.append(list(command)) or 0)
    return made


def test_setup_installs_what_make_env_installs(calls, monkeypatch):
    monkeypatch.setattr(cli, "in_environment", lambda: True)
    assert cli.main(["setup"]) == 0
    make_env = _makefile_recipe("$(STAMP)")
    assert calls == make_env and len(calls) == 2
    assert calls[1][-3:] == ["--no-deps", "-e", str(ROOT)]


def test_setup_refuses_to_install_into_the_systems_python(calls, monkeypatch, capsys):
    monkeypatch.setattr(cli, "in_environment", lambda: False)
    assert cli.main(["setup"]) == 2 and calls == []
    assert "python -m venv .venv" in capsys.readouterr().out


def test_setup_stops_at_the_first_failing_step(monkeypatch):
    made = []
    monkeypatch.setattr(cli, "in_environment", lambda: True)
    monkeypatch.setattr(cli.subprocess, "call", lambda command, **kw: made.append(command) or 1)
    assert cli.main(["setup"]) == 1 and len(made) == 1


@pytest.mark.parametrize("target", ["course", "bench", "model", "site"])
def test_every_make_target_is_a_python_m_ragft_command(target, calls, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "BUILD_DIR", tmp_path)
    (tmp_path / "notebooks").mkdir()
    make_runs = [c for c in _makefile_recipe(target) if c[:3] == [sys.executable, "-m", "ragft"]]
    assert make_runs, f"make {target} no longer runs python -m ragft"
    for command in make_runs:
        cli.main(command[3:])
    assert calls == [cli.COMMANDS[c[3]] + c[4:] for c in make_runs]


def test_site_runs_the_notebooks_first_when_they_were_never_run(calls, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "BUILD_DIR", tmp_path)
    assert cli.main(["site"]) == 0
    assert calls == [cli.COMMANDS["course"], cli.COMMANDS["site"]]


def test_lab_opens_the_start_notebook_as_make_lab_does():
    make_lab = next(line for line in (ROOT / "Makefile").read_text().splitlines() if "jupyter lab" in line)
    assert f"--LabApp.default_url={START_URL}" in make_lab.split()
    assert f"--LabApp.default_url={START_URL}" in cli.COMMANDS["lab"]


def test_the_readme_gives_the_no_make_path_beside_the_make_commands():
    section = (ROOT / "README.md").read_text().split("## Start in two commands", 1)[1].split("\n## ", 1)[0]
    for line in ["python -m venv .venv", ".venv/bin/python -m ragft setup", ".venv/bin/python -m ragft lab",
                 ".venv/bin/python -m ragft test", ".venv\\Scripts\\python"]:
        assert line in section, f"README's Start section lacks {line!r}"


# --- envcheck -------------------------------------------------------------------------------------

def test_envcheck_names_its_python_and_passes_in_the_course_environment():
    report = envcheck.report()
    assert sys.executable in report.splitlines()[0]
    assert ".venv/bin/python -m ragft envcheck" not in report


def test_envcheck_from_another_python_says_which_environment_to_use(tmp_path):
    venv.create(tmp_path / "bare", with_pip=False)
    python = tmp_path / "bare" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run = subprocess.run([str(python), "-m", "ragft.course.envcheck"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert str(python) in lines[0] and sum("MISSING" in line for line in lines) >= len(envcheck.PACKAGES)
    advice = [line for line in lines if ".venv/bin/python -m ragft envcheck" in line]
    assert len(advice) == 1 and str(python) in advice[0] and "conda activate rag-vs-finetuning" in advice[0]
