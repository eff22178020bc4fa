"""orig_forms.py -- configures the ORIGINAL metamorphosis 0.4.5 forms example
(metamorphosis.example.app, unmodified, from the wheel on PyPI) for the
comparison benchmark, then imports it.

The original reads its connection settings from the Flask app config with
class-level fallbacks (Microservice.config_defaults: localhost:9092, Redis
localhost:6379 dbs 1 and 10). Its example app sets only SECRET_KEY and
SVC_WEB_TOPIC before calling init_app at import time, so the defaults are the
only hook: we set them from the environment before the import.

We also move the original onto its own topics and consumer groups
(prefix "original.") so that a run of the C port on the same broker (topic
"forms", groups "create_form"/"legacy_create_form") never sees its msgpack
messages, and vice versa. Nothing else about the original is changed.

Environment:
  ORIG_KAFKA_BOOTSTRAP   host:port of the broker (required)
  ORIG_REDIS_HOST/PORT   the Redis server (required)
  ORIG_RESULTS_DB        Redis db of recent results (default 1, the original's)
  ORIG_SVC_WEB_DB        Redis db of service-web status (default 10)
  ORIG_PREFIX            topic and group prefix (default "original.")

Use: gunicorn orig_forms:app   /   gregor.py run_node --app orig_forms.forms_service
"""
import os

from metamorphosis.microservice import Microservice

_prefix = os.environ.get('ORIG_PREFIX', 'original.')
_redis_host = os.environ['ORIG_REDIS_HOST']
_redis_port = int(os.environ['ORIG_REDIS_PORT'])

Microservice.config_defaults.update({
    Microservice.KAFKA_BOOTSTRAP_SERVERS: os.environ['ORIG_KAFKA_BOOTSTRAP'].split(','),
    Microservice.RECENT_RESULTS_HOST: _redis_host,
    Microservice.RECENT_RESULTS_PORT: _redis_port,
    Microservice.RECENT_RESULTS_DB: int(os.environ.get('ORIG_RESULTS_DB', '1')),
    Microservice.SVC_WEB_HOST: _redis_host,
    Microservice.SVC_WEB_PORT: _redis_port,
    Microservice.SVC_WEB_DB: int(os.environ.get('ORIG_SVC_WEB_DB', '10')),
})

# Importing metamorphosis.example imports its app module, which calls
# init_app(app) (connecting to Kafka and Redis) and sets SVC_WEB_TOPIC. It
# then builds its schema with `types=[forms_service.types]`, a list inside a
# list, which every graphene 2.x rejects ("'list' object has no attribute
# 'name'"): the example as released cannot start. We flatten that one
# argument while the module is imported; the schema is otherwise its own.
import graphene as _g  # noqa: E402

_Schema = _g.Schema


def _flattening_schema(*args, types=None, **kwargs):
    flat = []
    for t in types or []:
        flat.extend(t if isinstance(t, (list, tuple)) else [t])
    return _Schema(*args, types=flat or None, **kwargs)


_g.Schema = _flattening_schema
try:
    from metamorphosis.example import app as _app_module  # noqa: E402
finally:
    _g.Schema = _Schema

# The service module declared the mutations (each fixed its publish_topic to
# the service name at class creation) and the consumers; move them.
from metamorphosis.example import service as _service  # noqa: E402

forms_service = _service.forms_service
for _m in forms_service.mutations.values():
    _m.publish_topic = _prefix + forms_service.name
for _cg in forms_service.consumers.values():
    _cg.topics = [_prefix + t for t in _cg.topics]
    _cg.group_id = _prefix + _cg.group_id
forms_service.name = _prefix + forms_service.name  # the topic consumers emit to

# Its service-web query backend is StrictRedis(db=10) on localhost:6379.
_app_module.FormServiceQueries.service_web_backend = forms_service.service_status_store

app = _app_module.app
app.config['SVC_WEB_TOPIC'] = _prefix + app.config['SVC_WEB_TOPIC']
forms_service.service_web_topic = app.config['SVC_WEB_TOPIC']

# The example app sets the root logger to DEBUG (and the consumers log every
# event at INFO). The C port is measured at MM_LOG_LEVEL=warn, so the
# original is measured at WARNING too; ORIG_LOG_LEVEL=DEBUG restores it.
import logging  # noqa: E402

logging.getLogger().setLevel(os.environ.get('ORIG_LOG_LEVEL', 'WARNING'))
