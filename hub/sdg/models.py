"""The SDG framework as reference data: 17 goals, 169 targets and their indicators.

Titles are kept per language (the six UN languages, plus community translations) in JSON maps, so a
page can show the reader's language and fall back to English.
"""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db

UN_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")


def _pick(titles: dict[str, str], lang: str) -> str:
    return titles.get(lang) or titles.get("en") or ""


class SdgGoal(db.Model):
    __tablename__ = "sdg_goals"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    short_titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    targets: Mapped[list[SdgTarget]] = relationship(
        back_populates="goal", order_by="SdgTarget.position"
    )

    def title(self, lang: str = "en") -> str:
        return _pick(self.titles, lang)

    def short_title(self, lang: str = "en") -> str:
        return _pick(self.short_titles, lang)

    def __repr__(self) -> str:
        return f"<SdgGoal {self.number}>"


class SdgTarget(db.Model):
    __tablename__ = "sdg_targets"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    goal_number: Mapped[int] = mapped_column(ForeignKey("sdg_goals.number"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    goal: Mapped[SdgGoal] = relationship(back_populates="targets")
    indicators: Mapped[list[SdgIndicator]] = relationship(
        back_populates="target", order_by="SdgIndicator.position"
    )

    def title(self, lang: str = "en") -> str:
        return _pick(self.titles, lang)

    def __repr__(self) -> str:
        return f"<SdgTarget {self.code}>"


class SdgIndicator(db.Model):
    __tablename__ = "sdg_indicators"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    target_code: Mapped[str] = mapped_column(ForeignKey("sdg_targets.code"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    target: Mapped[SdgTarget] = relationship(back_populates="indicators")

    def title(self, lang: str = "en") -> str:
        return _pick(self.titles, lang)
