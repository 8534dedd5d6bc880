"""``/metrics`` for Prometheus: request counts and latency per route, sync outcomes, sign-in
failures (``motcua.counters``) and figures read from the database at each scrape (held and
refused records, the push outbox, overdue dossiers per commune). Not the dashboard's
figures, which are ``motcua.metrics``."""
