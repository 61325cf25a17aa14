from sqlalchemy import func, select

from service.db.tables import Indicator, Region
from service.registry import load_registry
from service.registry.sync import sync_registry


def test_registry_loaded_by_upgrade(db):
    assert db.scalar(select(func.count()).select_from(Region).where(Region.level == "city")) == 14
    zz = db.get(Region, "430200")
    assert (zz.name_zh, zz.parent_code, zz.path) == ("株洲市", "430000", "430000/430200")
    assert db.get(Indicator, "surveyed_unemployment_rate").name_zh == "城镇调查失业率"


def test_second_province_is_configuration_only(db):
    counts = sync_registry(db, load_registry(["430000", "520000"]))
    assert counts["regions"] == 98  # Guizhou: province, 9 市州, 88 县市区; Hunan unchanged
    assert (
        db.scalar(select(func.count()).select_from(Region).where(Region.path.like("520000/%"), Region.level == "city"))
        == 9
    )
    assert sync_registry(db, load_registry(["430000", "520000"]))["regions"] == 0  # idempotent


def test_region_dropped_from_file_is_retired_not_deleted(db):
    db.add(
        Region(
            code="430299",
            name_zh="旧区",
            name_en="Old District",
            level="county",
            parent_code="430200",
            path="430000/430200/430299",
            active=True,
        )
    )
    db.flush()
    sync_registry(db, load_registry(["430000"]))
    assert db.get(Region, "430299").active is False
