"""Prometheus exporter and Grafana dashboards as code (not built yet; camsla serve already exposes /metrics)."""
