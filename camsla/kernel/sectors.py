"""The built-in sectors of the city plan (shared/DESIGN.md "Sectors"); each is overridable."""

from __future__ import annotations

from dataclasses import dataclass

TIER_TARGETS: dict[str, float] = {"key_public": 0.98, "key_industry": 0.95}


@dataclass(frozen=True)
class SectorDef:
    code: str
    name: str
    name_en: str
    tier: str

    @property
    def target(self) -> float:
        return TIER_TARGETS[self.tier]


BUILTIN_SECTORS: tuple[SectorDef, ...] = (
    SectorDef("public_area", "重点公共区域", "Key public areas: streets, squares, parks, stations", "key_public"),
    SectorDef("township", "城乡村镇公共区域", "Towns and villages (public areas)", "key_public"),
    SectorDef("checkpoint", "边界及道路检查站", "Border and road checkpoints", "key_public"),
    SectorDef("residential", "住宅小区", "Residential compounds", "key_industry"),
    SectorDef("forest_reservoir", "林区景区水库", "Forests, scenic areas, reservoirs", "key_industry"),
    SectorDef("hazardous", "涉爆涉危化品", "Explosives and hazardous chemicals", "key_industry"),
    SectorDef("campus", "校园", "Schools and campuses", "key_industry"),
    SectorDef("enterprise", "重点企业", "Key enterprises", "key_industry"),
    SectorDef("finance", "金融网点", "Banks and financial outlets", "key_industry"),
    SectorDef("entertainment", "娱乐场所", "Entertainment venues", "key_industry"),
    SectorDef("government", "党政机关", "Government buildings", "key_industry"),
    SectorDef("service", "服务行业", "Hotels, logistics, repair and other service trades", "key_industry"),
    SectorDef("healthcare", "医疗卫生", "Hospitals and clinics", "key_industry"),
    SectorDef("other_industry", "其他行业", "Other industries", "key_industry"),
    SectorDef("mobile", "无线及车载", "Wireless and vehicle-mounted cameras", "key_industry"),
)
