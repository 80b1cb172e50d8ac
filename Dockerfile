# Edge-Popup Notebooks: Jupyter Notebook with the Java (edge-popup) kernel, on Debian 12.
# A thin wrapper over environment/: the same scripts set up a laptop, CI and this image.
# Works as a Binder image (repo2docker uses it as is: user 1000, notebooks in $HOME, port 8888);
# Binder links must ask for the classic interface (?urlpath=/tree): there is no JupyterLab. A hub
# spawning this image should run jupyter-notebook: Debian's jupyterhub-singleuser would bring
# Node.js with it (README, "Docker and Binder").
#   CPU (default): podman/docker build -t edgepopup .
#   GPU:           docker build --build-arg FLAVOR=gpu -t edgepopup-gpu .
#                  (no CPU natives; DJL downloads the CUDA libtorch on first start, so the
#                  container needs internet and an NVIDIA runtime: docker run --gpus all ...)
FROM docker.io/library/debian:bookworm

ARG NB_USER=jovyan
ARG NB_UID=1000
ARG FLAVOR=cpu
ENV HOME=/home/${NB_USER} \
    LANG=C.UTF-8 \
    EDGEPOPUP_MAVEN_ARGS="-P ${FLAVOR}"

# Extra CAs first, so that Java's trust store (made when Java installs) has them.
COPY environment/extra-ca/ /usr/local/share/ca-certificates/
COPY environment/install-packages.sh /tmp/install-packages.sh
RUN /tmp/install-packages.sh && rm -rf /var/lib/apt/lists/* /tmp/install-packages.sh \
 && useradd --create-home --uid ${NB_UID} --shell /bin/bash ${NB_USER}

COPY --chown=${NB_UID}:${NB_UID} . ${HOME}/edgepopup
USER ${NB_UID}
WORKDIR ${HOME}/edgepopup

# Build, kernelspec, libtorch unpacked into the cache at build time (not at first start).
RUN environment/build.sh
# The image proves itself: containers cannot be started where CI builds it.
RUN if [ "$FLAVOR" = cpu ]; then environment/run-notebooks.sh notebooks/00-quickstart.ipynb; fi

EXPOSE 8888
ENV EDGEPOPUP_IP=0.0.0.0
CMD ["environment/run.sh"]
