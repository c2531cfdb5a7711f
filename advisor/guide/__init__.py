"""The buying guide (`go-advisor guide`): per profile and market, the verdict, budget tiers, a comparison matrix,
what would change the pick, caveats, the method and a dated evidence appendix, as Markdown with SVG charts or one
self-contained HTML file, in English or Simplified Chinese.

    >>> from advisor.guide import build_guide, guide_files
    >>> files = guide_files(build_guide(["microservice"], market="cn"), "markdown", "zh-CN")  # doctest: +SKIP
"""
from advisor.guide.build import DEFAULT_PROFILES, GuideData, build_guide
from advisor.guide.i18n import LANGS
from advisor.guide.render import GUIDE_FORMATS, guide_files, write_guide

__all__ = ["DEFAULT_PROFILES", "GUIDE_FORMATS", "LANGS", "GuideData", "build_guide", "guide_files", "write_guide"]
