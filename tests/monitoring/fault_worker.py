"""A real Celery worker for the fault tests (`python tests/monitoring/fault_worker.py`), started
as a subprocess so that a test can SIGKILL it. Configured by the environment like `celery worker`
(DATABASE_URL, CELERY_BROKER_URL, RECOMPUTE_*); FAULT_CHUNK_DELAY (seconds) makes a recompute
take a while: chunks of FAULT_CHUNK_REGIONS regions, each read that much later."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbon_portal.settings")

import django

django.setup()

from apps.monitoring import services  # noqa: E402
from carbon_portal.celery import app  # noqa: E402

delay = float(os.environ.get("FAULT_CHUNK_DELAY", "0"))
if delay:
    services.CHUNK_REGIONS = int(os.environ.get("FAULT_CHUNK_REGIONS", "2"))
    _load_inputs = services.load_inputs

    def slow_load_inputs(region_ids, config):
        time.sleep(delay)
        return _load_inputs(region_ids, config)

    services.load_inputs = slow_load_inputs

if __name__ == "__main__":
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=fault{os.getpid()}@%h",
        ]
    )
