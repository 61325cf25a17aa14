"""Calibration of the synthetic demo world: every number the generator is tuned to, in one place.

Province-wide figures follow the Hunan plans in ../shared/seeds (MISSION.md section 2): surveyed rate about
5.8 % in 2020 falling to about 5.2 %; registered rate under 4.5 %; about 700,000 new urban jobs a year;
unemployment-insurance insured 6.41 million (2020) to 7.45 million (2025); poverty-alleviated labour in work
about 2.45 million. City figures are invented shares and offsets of plausible size, not statistics.

Anchors are keyed by year and placed in the middle of the year; the generator interpolates between them
by month and holds the last anchor flat.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

__all__ = [
    "CITIES",
    "FIRST_MONTH",
    "GROUPS",
    "INDUSTRIES",
    "MIN_END_MONTH",
    "OCCUPATIONS",
    "WAVE_CITY",
    "CityCalibration",
    "GroupCalibration",
]

FIRST_MONTH = pd.Period("2018-01", freq="M")
# The quiet year of every city but the wave city needs the 2020-22 disturbances to have passed.
MIN_END_MONTH = pd.Period("2025-04", freq="M")
WAVE_CITY = "430200"  # 株洲 Zhuzhou: the layoff wave of the last nine months


class CityCalibration(NamedTuple):
    labour_force: float  # urban labour force, 10,000 persons; weights the province surveyed rate
    sample_size: int  # labour-force persons in the monthly city survey sample
    rate_offset: float  # pp above the province surveyed rate before 2022 (converges by half afterwards)
    shock: float  # multiplier of the 2020 shock
    ui_share: float  # share of province UI insured, %
    jobs_share: float  # share of province new urban jobs, %
    poverty_share: float  # share of province poverty-alleviated labour in work, %
    registered_offset: float  # pp above the province registered rate
    ratio: float  # typical posting-to-seeker ratio


# Sample sizes give a sampling standard error of about 0.15 pp (Changsha) to 0.28 pp (Zhangjiajie) at a 5.2 %
# rate and deff 1.5 (up to about 0.35 pp at the 2020 peak).
CITIES: dict[str, CityCalibration] = {
    "430100": CityCalibration(470, 32000, -0.25, 0.9, 31.0, 27.0, 3.5, -0.45, 1.52),  # 长沙
    "430200": CityCalibration(150, 14000, 0.05, 1.0, 7.0, 7.4, 4.0, -0.05, 1.36),  # 株洲
    "430300": CityCalibration(105, 11500, 0.0, 1.0, 5.0, 5.2, 2.5, 0.0, 1.32),  # 湘潭
    "430400": CityCalibration(190, 17000, 0.1, 1.0, 8.0, 8.6, 10.0, 0.1, 1.30),  # 衡阳
    "430500": CityCalibration(150, 14000, 0.12, 1.1, 5.5, 6.4, 13.0, 0.2, 1.24),  # 邵阳
    "430600": CityCalibration(160, 15000, -0.05, 1.0, 7.0, 7.2, 6.0, -0.05, 1.33),  # 岳阳
    "430700": CityCalibration(150, 14000, 0.0, 1.0, 6.5, 6.8, 7.0, 0.0, 1.31),  # 常德
    "430800": CityCalibration(40, 9000, 0.15, 1.4, 1.6, 2.0, 4.0, 0.25, 1.22),  # 张家界
    "430900": CityCalibration(105, 11500, 0.05, 1.0, 4.2, 4.8, 6.0, 0.05, 1.27),  # 益阳
    "431000": CityCalibration(140, 13500, -0.05, 1.0, 6.2, 6.4, 6.0, -0.1, 1.34),  # 郴州
    "431100": CityCalibration(130, 12500, 0.1, 1.05, 5.0, 5.6, 10.0, 0.15, 1.25),  # 永州
    "431200": CityCalibration(115, 12000, 0.12, 1.05, 4.6, 5.0, 11.0, 0.2, 1.23),  # 怀化
    "431300": CityCalibration(100, 11000, 0.15, 1.0, 4.6, 4.8, 7.0, 0.2, 1.25),  # 娄底
    "433100": CityCalibration(60, 9500, 0.15, 1.2, 2.3, 2.8, 9.0, 0.25, 1.21),  # 湘西
}

# --- surveyed unemployment rate (percent) ---
SURVEY_DEFF = 1.5
RATE_ANCHORS = {2018: 5.10, 2019: 5.15, 2020: 5.10, 2021: 5.35, 2022: 5.45, 2023: 5.35, 2024: 5.25, 2025: 5.2,
                2026: 5.15}  # fmt: skip
# Additive monthly pattern of the total rate, Jan..Dec: the peak after Spring Festival, a smaller one at graduation.
RATE_SEASONAL = (-0.1, 0.15, 0.05, -0.05, -0.05, 0.0, 0.1, 0.05, -0.05, -0.05, -0.05, 0.0)
# The 2020 shock: full height Feb-Apr 2020, then halving every SHOCK_HALF_LIFE months.
SHOCK_PP = 1.1
SHOCK_HALF_LIFE = 5.0
# City offsets shrink to this fraction between 2022-01 and 2024-06 (the poorer cities catch up).
OFFSET_CONVERGENCE = 0.5


class GroupCalibration(NamedTuple):
    sample_share: float  # share of the province survey sample
    anchors: dict[int, float]  # yearly level, percent
    seasonal: tuple[float, ...]  # additive, Jan..Dec, sums to 0
    shock: float  # multiplier of the 2020 shock


# Key groups, province only (city samples are too small). Youth and graduates peak strongly at graduation.
GROUPS: dict[str, GroupCalibration] = {
    "youth_16_24": GroupCalibration(
        0.075,
        {2018: 13.5, 2019: 13.8, 2020: 14.6, 2021: 15.2, 2022: 16.6, 2023: 16.3, 2024: 15.5, 2025: 15.4, 2026: 15.2},
        (0.0, 0.5, 0.3, -0.4, -0.8, -0.2, 2.4, 2.2, 0.4, -1.2, -1.5, -1.7),
        2.2,
    ),
    "graduates": GroupCalibration(
        0.03,
        {2018: 11.0, 2019: 11.3, 2020: 12.2, 2021: 12.6, 2022: 13.6, 2023: 13.4, 2024: 12.8, 2025: 12.7, 2026: 12.5},
        (-0.5, 0.3, 0.2, -0.8, -1.2, 0.5, 4.5, 3.5, 0.5, -2.0, -2.5, -2.5),
        2.5,
    ),
    "migrant_workers": GroupCalibration(
        0.22,
        {2018: 4.9, 2019: 5.0, 2020: 5.0, 2021: 5.2, 2022: 5.3, 2023: 5.2, 2024: 5.05, 2025: 5.0, 2026: 4.95},
        (-0.15, 0.45, 0.25, -0.1, -0.1, -0.05, 0.0, -0.05, -0.05, -0.05, -0.05, -0.1),
        1.6,
    ),
    "poverty_alleviated": GroupCalibration(
        0.06,
        {2018: 5.6, 2019: 5.6, 2020: 5.7, 2021: 5.9, 2022: 6.0, 2023: 5.8, 2024: 5.6, 2025: 5.5, 2026: 5.45},
        (-0.1, 0.4, 0.2, -0.1, -0.1, -0.05, 0.05, 0.0, -0.05, -0.1, -0.1, -0.05),
        1.5,
    ),
}

# --- registered unemployment rate (percent, quarterly) ---
REGISTERED_ANCHORS = {
    2018: 3.85, 2019: 3.8, 2020: 3.85, 2021: 3.7, 2022: 3.6, 2023: 3.5, 2024: 3.4, 2025: 3.35, 2026: 3.3,
}  # fmt: skip
REGISTERED_SHOCK = 0.25  # pp at the 2020 shock's height
REGISTERED_WAVE = 0.3  # pp at the wave's height
REGISTERED_BOUNDS = (2.8, 4.45)  # a guard, rarely reached: the plans keep the rate under 4.5 %

# --- new urban jobs (persons per year, province) ---
NEW_JOBS = {2018: 750_000, 2019: 745_000, 2020: 690_000, 2021: 712_000, 2022: 705_000, 2023: 700_000,
            2024: 695_000, 2025: 690_000, 2026: 685_000}  # fmt: skip
# Share of the year's jobs created in each month, Jan..Dec (sums to 1): slow around Spring Festival.
NEW_JOBS_MONTHLY = (0.075, 0.06, 0.105, 0.09, 0.09, 0.095, 0.085, 0.08, 0.085, 0.08, 0.08, 0.075)
# 2020: months lost to the epidemic, caught up later in the year (the annual total stays the anchor).
NEW_JOBS_2020 = {2: 0.35, 3: 0.6, 4: 0.85}

# --- unemployment insurance (persons, province, December of each year) ---
UI_INSURED_DEC = {2017: 5_850_000, 2018: 6_020_000, 2019: 6_220_000, 2020: 6_410_000, 2021: 6_700_000,
                  2022: 6_900_000, 2023: 7_100_000, 2024: 7_280_000, 2025: 7_450_000, 2026: 7_570_000}  # fmt: skip
UI_GROWTH_AFTER = 0.015  # a year, after the last anchor
UI_INSURED_SEASONAL = (-0.002, -0.006, -0.002, 0, 0, 0, 0, 0, 0, 0, 0, 0)  # relative, Jan..Dec
UI_INSURED_2020 = {2: -0.015, 3: -0.02, 4: -0.015, 5: -0.008, 6: -0.003}
# New claims as a share of insured per month, by year; Feb-Jun 2020 higher still.
UI_CLAIM_RATE = {2018: 0.0029, 2019: 0.0029, 2020: 0.0036, 2021: 0.0032, 2022: 0.0031, 2023: 0.0030}
UI_CLAIM_2020 = {2: 0.0048, 3: 0.0052, 4: 0.0048, 5: 0.0042, 6: 0.0038}
UI_CLAIM_SEASONAL = (1.15, 1.05, 1.2, 1.05, 0.95, 0.95, 1.0, 0.95, 0.9, 0.85, 0.9, 1.05)
UI_CLAIM_NOISE = 0.02  # relative standard deviation, clipped at 2 sd: bounds the year-on-year change
UI_EXIT_RATE = 1 / 7  # share of recipients leaving benefit each month (mean spell about 7 months)
UI_EXIT_RATE_2020 = 1 / 9  # Feb 2020 to Jun 2021: benefits extended (失业补助金)
UI_STOP_RATE = 0.011  # contribution stops as a share of insured per month
UI_STOP_SEASONAL = (1.3, 1.45, 1.05, 0.95, 0.9, 0.9, 0.95, 0.9, 0.9, 0.85, 0.9, 0.95)

# --- poverty-alleviated labour in work (persons, province) ---
POVERTY_EMPLOYED = {2018: 2_050_000, 2019: 2_200_000, 2020: 2_320_000, 2021: 2_400_000, 2022: 2_430_000,
                    2023: 2_450_000, 2024: 2_460_000, 2025: 2_470_000, 2026: 2_480_000}  # fmt: skip
POVERTY_SEASONAL = (-0.02, -0.035, -0.005, 0.005, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.0, -0.01)
POVERTY_2020 = {2: -0.15, 3: -0.09, 4: -0.04, 5: -0.015}

# --- recruitment ---
# code: (name_zh, name_en, share of job seekers, ratio relative to the city's overall ratio)
OCCUPATIONS: dict[str, tuple[str, str, float, float]] = {
    "manufacturing": ("生产制造及有关人员", "Manufacturing operators", 0.30, 1.35),
    "services": ("社会生产和生活服务人员", "Service workers", 0.22, 1.10),
    "sales": ("商业销售人员", "Sales staff", 0.16, 0.95),
    "construction": ("建筑施工人员", "Construction workers", 0.10, 0.90),
    "it": ("信息技术人员", "IT professionals", 0.10, 0.60),
    "transport": ("交通运输和物流人员", "Transport and logistics workers", 0.12, 0.85),
}
SEEKERS_PER_LABOUR_FORCE = 0.006  # job seekers registered in a month per person of the urban labour force
SEEKERS_SEASONAL = (0.9, 1.25, 1.2, 1.0, 0.95, 0.95, 1.15, 1.1, 0.95, 0.85, 0.85, 0.85)
RATIO_SEASONAL = (0.97, 1.12, 1.10, 1.03, 1.0, 0.97, 0.93, 0.95, 1.0, 0.99, 0.98, 0.96)
RATIO_2020 = {2: 0.92, 3: 0.9, 4: 0.94, 5: 0.97}
SEEKERS_2020 = {2: 0.55, 3: 0.8, 4: 0.95}
QUIET_RATIO_FLOOR = 1.07  # quiet cities' posting-to-seeker ratio over the last 12 months

# --- enterprises (GB/T 4754-2017 sections) ---
# section: (name_zh, share of monitored enterprises, words for synthetic names)
INDUSTRIES: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "B": ("采矿业", 0.03, ("矿业", "矿产开发")),
    "C": ("制造业", 0.45, ("机械制造", "电子科技", "轨道装备", "汽车零部件", "新材料", "食品", "服饰", "陶瓷", "化工")),
    "D": ("电力、热力、燃气及水生产和供应业", 0.02, ("能源", "水务")),
    "E": ("建筑业", 0.10, ("建设工程", "建筑安装")),
    "F": ("批发和零售业", 0.12, ("商贸", "贸易")),
    "G": ("交通运输、仓储和邮政业", 0.07, ("物流", "运输")),
    "H": ("住宿和餐饮业", 0.06, ("酒店管理", "餐饮管理")),
    "I": ("信息传输、软件和信息技术服务业", 0.06, ("信息技术", "软件")),
    "K": ("房地产业", 0.03, ("置业", "物业服务")),
    "L": ("租赁和商务服务业", 0.04, ("商务服务", "人力资源服务")),
    "M": ("科学研究和技术服务业", 0.02, ("检测技术", "工程设计")),
}
ENTERPRISES = 2000
WAVE_ANCHORS = 18  # large manufacturers of the wave city, one per wave filing
# Counties of the wave city the anchors sit in, in turn (industrial districts and Liling's ceramics).
WAVE_COUNTIES = ("430204", "430211", "430202", "430203", "430281", "430212")
# Older, scattered art. 41 filings across the province: expected filings a year (held flat after the last).
HISTORIC_FILINGS = {2018: 5, 2019: 6, 2020: 14, 2021: 8, 2022: 7, 2023: 5, 2024: 4}

# --- the layoff wave in WAVE_CITY, over the last len(WAVE_SHAPE) months up to the end month ---
# How far the wave has gone in each month (oldest first); scales the surveyed-rate rise, the fall of the
# posting-to-seeker ratio and the slowdown of new jobs.
WAVE_SHAPE = (0.05, 0.1, 0.2, 0.35, 0.55, 0.75, 0.9, 0.95, 1.0)
# Layoffs filed each month as a share of the city's UI insured, and how many enterprises file.
WAVE_LAYOFF_SHARE = (0.0001, 0.0002, 0.0006, 0.0012, 0.003, 0.0042, 0.0045, 0.0045, 0.0045)
WAVE_FILINGS = (1, 1, 2, 2, 2, 2, 3, 2, 3)
# New UI claims against the same month a year earlier.
WAVE_CLAIMS_GROWTH = (0.04, 0.08, 0.12, 0.17, 0.23, 0.3, 0.37, 0.4, 0.42)
WAVE_RATIO_DROP = 0.32  # the posting-to-seeker ratio falls by this fraction at the wave's height
WAVE_RATIO_CAP = 0.97  # and stays below this in the last three months
# Target of the surveyed-rate construction: a Sahm-style rise of grade III, short of grade II's 1.0 pp.
WAVE_RISE_TARGET = 0.78
