"""deploy/docker-compose.scale.yml's wiring: the two bot replicas share one Milvus store and one
Redis (listener state and feedback), and every setting they are given is one planbot reads.

No Docker engine runs on the development machines, so the file is checked as data: a
misspelled variable or a replica pointed at its own store would only show in production.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.config import ENV_NAMES

COMPOSE = Path(__file__).resolve().parents[1] / "deploy" / "docker-compose.scale.yml"
# Read by the processes but not Settings fields: the store's own env names and the encoder's.
OTHER_KNOWN = {"PLANBOT_ENCODER_THREADS", "GRPC_VERBOSITY"}


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]


def test_two_bot_replicas_share_one_milvus_and_one_redis_for_state_and_feedback():
    svc = services()
    bots = [name for name, s in svc.items() if (s.get("command") is None and s.get("image") == "planbot-scale:latest"
                                                 and "profiles" not in s)]
    assert sorted(bots) == ["bot-1", "bot-2"]
    envs = [svc[b]["environment"] for b in bots]
    assert envs[0] == envs[1]
    env = envs[0]
    assert env["PLANBOT_STORE"].startswith("http://milvus:")  # a Milvus server, not a local index or .db
    assert env["PLANBOT_REDIS_URL"].startswith("redis://redis:")
    # feedback goes to Redis too (bot/slack/app.py open_feedback): a PLANBOT_FEEDBACK file would win over it
    assert "PLANBOT_FEEDBACK" not in env
    for b in bots:
        assert svc[b]["depends_on"]["milvus"]["condition"] == "service_healthy"
        assert svc[b]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_milvus_standalone_has_its_etcd_and_minio():
    svc = services()
    milvus = svc["milvus"]
    assert milvus["command"] == ["milvus", "run", "standalone"]
    assert set(milvus["depends_on"]) == {"etcd", "minio"}
    assert milvus["environment"]["ETCD_ENDPOINTS"] == "etcd:2379"
    assert milvus["environment"]["MINIO_ADDRESS"] == "minio:9000"


def test_every_planbot_setting_in_the_file_is_one_planbot_reads():
    known = set(ENV_NAMES.values()) | OTHER_KNOWN
    for name, s in services().items():
        for var in (s.get("environment") or {}):
            if var.startswith(("PLANBOT_", "SLACK_")) or var == "PORT":
                assert var in known, f"{name}: {var} is not a setting planbot reads"
