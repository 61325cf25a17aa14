"""Files tests feed to the CLI and the API: large survey-style CSVs made quickly with Arrow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from service.registry import load_registry

GROUPS = ["全体", "16-24岁青年", "高校毕业生", "农民工", "脱贫劳动力"]


def big_survey_file(path: Path, rows: int, *, first_year: int = 2015) -> int:
    """A survey-style CSV with `rows` distinct keys (regions x groups x occupations x months); returns rows."""
    regions = [r.code for r in load_registry(["430000"]).regions]
    months = [f"{y}-{m:02d}" for y in range(first_year, first_year + 10) for m in range(1, 13)]
    per = len(regions) * len(GROUPS) * len(months)
    occupations = [f"occ{i:03d}" for i in range(max(1, -(-rows // per)))]
    grid = np.stack(
        np.meshgrid(
            np.arange(len(regions)), np.arange(len(GROUPS)), np.arange(len(occupations)), np.arange(len(months))
        ),
        -1,
    ).reshape(-1, 4)[:rows]
    values = np.round(np.random.default_rng(rows).uniform(2.0, 9.0, len(grid)), 1)
    table = pa.table(
        {
            "地区代码": pa.array(np.array(regions)[grid[:, 0]]),
            "时期": pa.array(np.array(months)[grid[:, 3]]),
            "指标": pa.array(np.full(len(grid), "城镇调查失业率")),
            "数值": pa.array(values),
            "样本量": pa.array(np.full(len(grid), 1000)),
            "群体": pa.array(np.array(GROUPS)[grid[:, 1]]),
            "职业": pa.array(np.array(occupations)[grid[:, 2]]),
        }
    )
    pa_csv.write_csv(table, str(path))
    return len(grid)
