"""Statutory publications of the employer's own staff figures (特定事業主): 女性活躍推進法 §21
情報公表 with 職員の給与の男女の差異, and the 特定事業主行動計画 実施状況 (次世代法 §19) — tables
read from the long KPI table (`tables`), written as Excel, CSV and one HTML page (`write`)."""

from __future__ import annotations

from hrmetrics.publish.model import Publication, build_publication
from hrmetrics.publish.write import write_publication

__all__ = ["Publication", "build_publication", "write_publication"]
