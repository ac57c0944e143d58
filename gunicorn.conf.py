"""gunicorn's settings (read from the working directory), from the environment.

It listens on 127.0.0.1 only: nginx in front terminates TLS and sets X-Forwarded-Proto and
X-Real-IP, which Django trusts because nobody else can reach this port (README, "Deployment").
"""

from __future__ import annotations

import os

wsgi_app = "skills_plan.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Load the app once in the master: the workers share its frozen heap (see wsgi.py).
preload_app = True
# Exports of a whole year's figures take a while; anything slower than this is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# A worker is replaced after this many requests (slow leaks do not build up).
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
# systemd (or honcho) manages the process; gunicorn 27's control socket would be one path,
# ~/.gunicorn/gunicorn.ctl, for every instance on the machine.
control_socket_disable = True
