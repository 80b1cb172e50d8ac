# JupyterHub 3.0 (Debian's) for a workshop: environment/workshop.sh writes STATE/settings.json
# and starts the hub with this file. Participants log in with their own account's password
# (PAM); each gets one server, run as their own user, inside their own memory cgroup.
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import workshop  # noqa: E402
from jupyterhub.spawner import LocalProcessSpawner  # noqa: E402

c = get_config()  # noqa: F821
settings = workshop.Settings.load(os.environ["EDGEPOPUP_WORKSHOP_STATE"])
state = settings.state


class WorkshopSpawner(LocalProcessSpawner):
    """Gives a participant their copy of the notebooks on first start, and starts their server
    (and so every kernel it starts) inside their memory cgroup."""

    cgroup_procs = None

    async def start(self):
        workshop.participant_files(self.user.name, "provide", settings)
        self.cgroup_procs = workshop.memory_cgroup(settings, self.user.name)
        if self.cgroup_procs is None:
            self.log.warning("memory limit NOT enforced for %s: no writable memory cgroup here",
                             self.user.name)
        return await super().start()

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        procs = self.cgroup_procs

        def preexec():
            if procs is not None:
                with open(procs, "w") as f:
                    f.write(str(os.getpid()))
            become_user()

        return preexec


scheme = "https" if settings.cert else "http"
c.JupyterHub.bind_url = f"{scheme}://{settings.ip}:{settings.port}/"
if settings.cert:
    c.JupyterHub.ssl_cert = settings.cert
    c.JupyterHub.ssl_key = settings.key
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings.hub_port
# Secrets and state stay in STATE (mode 700, root's): the cookie secret is made by JupyterHub
# itself (mode 600), the proxy's token by workshop.py.
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.ConfigurableHTTPProxy.auth_token = settings.secret("proxy_token")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = f"{state}/proxy.pid"
c.ConfigurableHTTPProxy.command = ["/usr/bin/configurable-http-proxy"]

# Each participant's own password: a shared one (DummyAuthenticator) would let anyone log in
# under any listed name, and so open everybody's notebooks.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(settings.participants)
c.Authenticator.admin_users = {settings.admin} if settings.admin else set()
c.Authenticator.blocked_users = {"root"}
# workshop.sh add and reset use the API with this service's token.
c.JupyterHub.services = [{"name": "workshop", "api_token": settings.secret("service_token")}]
c.JupyterHub.load_roles = [{"name": "workshop", "scopes": ["admin:users", "admin:servers"],
                            "services": ["workshop"]}]

c.JupyterHub.spawner_class = WorkshopSpawner
c.Spawner.cmd = ["/usr/bin/jupyterhub-singleuser"]
c.Spawner.notebook_dir = f"~/{workshop.NOTEBOOK_DIR}"
c.Spawner.default_url = "/tree"
# Participants cannot configure their server (their ~/.jupyter is not read): the limits hold.
c.Spawner.disable_user_config = True
c.Spawner.mem_limit = settings.memory
c.Spawner.poll_interval = 10
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
c.Spawner.environment = {
    "JUPYTER_PATH": f"{settings.prefix}/share/jupyter",
    "PYTHONPATH": f"{settings.prefix}/python",
    "EDGEPOPUP_SCALE": "quick",
    "LANG": "C.UTF-8",
}
# Debian 12 has no jupyterhub-idle-culler: the notebook server's own culling stops kernels idle
# for IDLE (a browser tab left open included, a running cell never), and the server exits after
# IDLE without kernels or requests; the hub notices within its poll interval.
c.Spawner.args = [
    "--NotebookApp.kernel_manager_class=workshop_kernels.CappedKernelManager",
    f"--CappedKernelManager.max_kernels={settings.kernels}",
    f"--MappingKernelManager.cull_idle_timeout={settings.idle}",
    f"--MappingKernelManager.cull_interval={max(5, min(60, settings.idle // 4))}",
    "--MappingKernelManager.cull_connected=True",
    f"--NotebookApp.shutdown_no_activity_timeout={settings.idle}",
    # The accounts have no login shell; the notebooks need none.
    "--NotebookApp.terminals_enabled=False",
]
