"""Chinese names in figures: find a CJK font and use it as a fallback after DejaVu Sans.

Matplotlib's default font, DejaVu Sans, has no Chinese characters: "周建国" would come out as
empty boxes. Every crimegraph figure therefore draws inside :func:`cjk_context`, which adds a
CJK font as a *fallback* (matplotlib >= 3.6): Latin text keeps DejaVu Sans, characters that
DejaVu Sans lacks come from the CJK font. The user's global ``rcParams`` are left alone unless
they call :func:`use_cjk_font`.

Where the font comes from, in order:

1. the ``CRIMEGRAPH_CJK_FONT`` environment variable: a font file (.ttf, .otf, .ttc) or the name
   of an installed family;
2. a font matplotlib already knows (``Noto Sans CJK SC``, ``Source Han Sans SC``, ``WenQuanYi
   Zen Hei``, ``Microsoft YaHei``, ``PingFang SC``...);
3. font files in the usual system folders (``/usr/share/fonts``, ``~/.fonts``, macOS and Windows
   font folders), registered with matplotlib on first use. Matplotlib's font cache may predate
   a font installed later (``apt-get install fonts-noto-cjk``), hence the scan.

Without any CJK font, the first figure that has Chinese text warns once with
:class:`MissingCJKFontWarning`, saying how to install one, and draws what it can: a name the
fonts cannot draw is replaced by the id (:func:`drawable`), a Chinese province by its pinyin
name, other characters without a glyph by "?". Whether a font has a character is asked of
the font file itself (FreeType's character map), so matplotlib never has to warn about
missing glyphs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ENV_VAR",
    "CJKFont",
    "MissingCJKFontWarning",
    "apply_to_ticks",
    "cjk_context",
    "cjk_rc_params",
    "drawable",
    "find_cjk_font",
    "has_cjk",
    "missing_glyphs",
    "use_cjk_font",
]

ENV_VAR = "CRIMEGRAPH_CJK_FONT"

PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK HK",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Hiragino Sans GB", "Heiti SC", "STHeiti", "Droid Sans Fallback", "Noto Serif CJK SC",
    "Source Han Serif SC", "SimSun", "AR PL UMing CN", "Arial Unicode MS",
)
"""CJK families in order of preference (simplified-Chinese sans-serif faces first)."""

_FILE_PATTERNS: tuple[str, ...] = (
    "NotoSansCJK*", "NotoSansSC*", "SourceHanSans*", "wqy-zenhei*", "wqy-microhei*",
    "msyh*", "simhei*", "PingFang*", "Hiragino Sans GB*", "STHeiti*", "DroidSansFallback*",
    "NotoSerifCJK*", "SourceHanSerif*", "simsun*", "uming*", "Arial Unicode*",
)

_FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
    "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts",
    "C:/Windows/Fonts", "%LOCALAPPDATA%/Microsoft/Windows/Fonts",
)

_FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}

# Han ideographs, CJK punctuation, kana, Hangul and full-width forms.
_CJK_RE = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)

INSTALL_HINT = (
    "install one (Debian/Ubuntu: `apt-get install fonts-noto-cjk`; conda: "
    "`conda install -c conda-forge font-ttf-noto-cjk`) or set the environment variable "
    f"{ENV_VAR} to a font file (.ttf, .otf or .ttc) with Chinese characters"
)

_warned = False


class MissingCJKFontWarning(UserWarning):
    """No font with Chinese characters was found: Chinese names would show as empty boxes."""


@dataclass(frozen=True)
class CJKFont:
    """A CJK font matplotlib can use.

    Attributes
    ----------
    family : str
        The family name to put in ``rcParams`` (e.g. ``"Noto Sans CJK SC"``).
    path : str
        The font file.
    """

    family: str
    path: str


def has_cjk(text: object) -> bool:
    """Whether ``text`` holds Chinese, Japanese or Korean characters.

    Examples
    --------
    >>> has_cjk("周建国"), has_cjk("Zhou Jianguo")
    (True, False)
    """
    return isinstance(text, str) and _CJK_RE.search(text) is not None


def find_cjk_font() -> CJKFont | None:
    """The CJK font crimegraph figures use, or None when the machine has none.

    Honours ``CRIMEGRAPH_CJK_FONT`` (a font file or a family name), then the fonts matplotlib
    knows, then font files in the usual system folders (registered with matplotlib when found).

    Returns
    -------
    CJKFont or None
    """
    return _find(os.environ.get(ENV_VAR, "").strip())


@functools.lru_cache(maxsize=8)
def _find(env_value: str) -> CJKFont | None:
    from matplotlib import font_manager

    if env_value:
        font = _from_env(env_value)
        if font is not None:
            return font
    known = _families_by_name(font_manager.fontManager.ttflist)
    for family in PREFERRED_FAMILIES:
        if family in known:
            return CJKFont(family, known[family])
    for path in _scan_font_files():
        font = _register(path)
        if font is not None:
            return font
    return None


def _from_env(value: str) -> CJKFont | None:
    from matplotlib import font_manager

    path = Path(os.path.expandvars(os.path.expanduser(value)))
    if path.is_file():
        font = _register(path)
        if font is not None:
            return font
        problem = "cannot be read as a font"
    else:
        known = _families_by_name(font_manager.fontManager.ttflist)
        if value in known:
            return CJKFont(value, known[value])
        problem = "is neither a font file nor an installed font family"
    warnings.warn(
        f"{ENV_VAR}={value!r} {problem}; looking for another CJK font",
        MissingCJKFontWarning, stacklevel=4,
    )
    return None


def _families_by_name(entries: Iterable[Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in entries:
        found.setdefault(entry.name, entry.fname)
    return found


def _scan_font_files() -> list[Path]:
    """Candidate CJK font files in the usual folders, best first (deterministic order)."""
    folders: list[Path] = []
    for raw in _FONT_DIRS:
        folder = Path(os.path.expandvars(os.path.expanduser(raw)))
        if "%" not in str(folder) and folder.is_dir():
            folders.append(folder)
    found: list[tuple[int, str, Path]] = []
    for folder in folders:
        for rank, pattern in enumerate(_FILE_PATTERNS):
            try:
                matches = list(folder.rglob(pattern))
            except OSError:  # unreadable sub-folder
                continue
            for path in matches:
                if path.suffix.lower() in _FONT_SUFFIXES and path.is_file():
                    # Regular weights before bold, light and black ones.
                    weight = 0 if "regular" in path.name.lower() else 1
                    found.append((rank * 2 + weight, str(path), path))
    found.sort()
    return [path for _, _, path in dict.fromkeys(found)]


def _register(path: Path) -> CJKFont | None:
    from matplotlib import font_manager

    fname = os.fsdecode(path)
    manager = font_manager.fontManager
    faces = [e.name for e in manager.ttflist if os.path.realpath(e.fname) ==
             os.path.realpath(fname)]
    if not faces:
        try:
            manager.addfont(fname)
        except Exception:  # not a font FreeType can read
            return None
        faces = [e.name for e in manager.ttflist if e.fname == fname]
    if not faces:
        return None
    _register_weights(Path(fname))
    for family in PREFERRED_FAMILIES:
        if family in faces:
            return CJKFont(family, fname)
    simplified = [f for f in faces if re.search(r"\b(SC|CN|GB)\b", f)]
    return CJKFont((simplified or faces)[0], fname)


def _register_weights(path: Path) -> None:
    # The bold file of the family (NotoSansCJK-Bold.ttc next to NotoSansCJK-Regular.ttc), so
    # bold names stay bold instead of falling back to the regular weight.
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {os.path.realpath(e.fname) for e in manager.ttflist}
    prefix = path.stem.split("-")[0]
    if not prefix or prefix == path.stem:
        return
    for sibling in sorted(path.parent.glob(f"{prefix}-*")):
        if sibling.suffix.lower() in _FONT_SUFFIXES and os.path.realpath(sibling) not in known:
            with contextlib.suppress(Exception):
                manager.addfont(os.fsdecode(sibling))


def cjk_rc_params(font: CJKFont | None = None) -> dict[str, Any]:
    """The ``rcParams`` that add the CJK font as a fallback after the current fonts.

    ``font.sans-serif`` gets the CJK family right after DejaVu Sans, and ``font.family`` gets
    it at the end: matplotlib falls back along ``font.family``, so the second entry is what
    makes Chinese characters render while Latin text keeps its usual font.

    Parameters
    ----------
    font : CJKFont, optional
        The font to add (:func:`find_cjk_font` when omitted).

    Returns
    -------
    dict
        Empty when no CJK font is available.
    """
    import matplotlib as mpl

    font = font if font is not None else find_cjk_font()
    if font is None:
        return {}
    sans = [f for f in mpl.rcParams["font.sans-serif"] if f != font.family]
    at = sans.index("DejaVu Sans") + 1 if "DejaVu Sans" in sans else len(sans)
    sans.insert(at, font.family)
    family = list(mpl.rcParams["font.family"])
    if font.family not in family:
        family.append(font.family)
    return {"font.sans-serif": sans, "font.family": family}


def use_cjk_font() -> str | None:
    """Make every matplotlib figure of this session render Chinese names.

    Changes the global ``matplotlib.rcParams`` (crimegraph's own figures do not need this;
    they add the font only while drawing). Call it once in a notebook to get Chinese labels
    in your own pandas or matplotlib plots too.

    Returns
    -------
    str or None
        The CJK family added, or None (with a :class:`MissingCJKFontWarning`) when the
        machine has no CJK font.

    Examples
    --------
    >>> import crimegraph.plot as cgp
    >>> cgp.use_cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    import matplotlib as mpl

    font = find_cjk_font()
    if font is None:
        _warn_missing(force=True)
        return None
    params: Any = cjk_rc_params(font)
    mpl.rcParams.update(params)
    return font.family


@contextlib.contextmanager
def cjk_context(texts: Iterable[object] = ()) -> Iterator[CJKFont | None]:
    """Draw inside this context to get Chinese characters without touching global settings.

    Parameters
    ----------
    texts : iterable of str
        The labels about to be drawn; without a CJK font, a :class:`MissingCJKFontWarning`
        is given (once per session) when one of them has CJK characters.

    Yields
    ------
    CJKFont or None
        The font in use.
    """
    import matplotlib as mpl
    import matplotlib.pyplot
    # context restores rcParams, and a first pyplot import inside it would switch off
    # interactive mode, so that notebooks showed only the first figure.

    font = find_cjk_font()
    if font is None and any(has_cjk(t) for t in texts):
        _warn_missing()
    params: Any = cjk_rc_params(font)
    with mpl.rc_context(params):
        yield font


def _warn_missing(force: bool = False) -> None:
    global _warned
    if _warned and not force:
        return
    _warned = True
    warnings.warn(
        "no font with Chinese characters found, so figures show ids instead of Chinese names "
        "(and pinyin for provinces); " + INSTALL_HINT,
        MissingCJKFontWarning,
        stacklevel=_user_stacklevel(),
    )


def _user_stacklevel() -> int:
    # Point the warning at the analyst's call, outside crimegraph and contextlib.
    frame = sys._getframe(1)
    level = 1
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name.startswith("crimegraph.") or name == "contextlib"):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return 1


def apply_to_ticks(ax: Any) -> None:
    """Give the tick labels of ``ax`` the current fonts, CJK fallback included.

    Call inside :func:`cjk_context`: matplotlib makes tick labels while drawing, after the
    context has ended, so they must be told the fonts explicitly.
    """
    import matplotlib as mpl

    ax.tick_params(labelfontfamily=list(mpl.rcParams["font.family"]))


# -- what the fonts can draw ------------------------------------------------------------------

PROVINCE_PINYIN: dict[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi",
    "内蒙古": "Inner Mongolia", "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang",
    "上海": "Shanghai", "江苏": "Jiangsu", "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian",
    "江西": "Jiangxi", "山东": "Shandong", "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan",
    "广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan", "重庆": "Chongqing",
    "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan", "西藏": "Tibet", "陕西": "Shaanxi",
    "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia", "新疆": "Xinjiang", "香港": "Hong Kong",
    "澳门": "Macau", "台湾": "Taiwan",
}
"""Chinese province names and their pinyin, shown when no font can draw the Chinese."""


def missing_glyphs(text: object) -> str:
    """The characters of ``text`` that none of the current fonts can draw (in order, once).

    The fonts are those matplotlib would use for text with the current ``rcParams`` (the
    family list with its fallbacks, so inside :func:`cjk_context` the CJK font counts).
    Spaces and line breaks never count as missing. Right-to-left letters (Uyghur, Arabic,
    Hebrew) always do: matplotlib would draw them left to right and unjoined, so the name
    would read wrong.

    Examples
    --------
    >>> missing_glyphs("Zhou Jianguo")
    ''
    """
    import matplotlib as mpl

    key = (tuple(mpl.rcParams["font.family"]), tuple(mpl.rcParams["font.sans-serif"]),
           tuple(mpl.rcParams["font.serif"]), tuple(mpl.rcParams["font.monospace"]))
    has = _glyph_test(key)
    return "".join(dict.fromkeys(ch for ch in str(text) if not ch.isspace()
                                 and (_right_to_left(ch) or not has(ch))))


def _right_to_left(ch: str) -> bool:
    import unicodedata

    return unicodedata.bidirectional(ch) in ("R", "AL")


@functools.lru_cache(maxsize=16)
def _glyph_test(key: tuple[tuple[str, ...], ...]) -> Any:
    from matplotlib import font_manager

    props = font_manager.FontProperties(family=list(key[0]))
    try:
        paths = [os.fspath(p) for p in font_manager.fontManager._find_fonts_by_props(props)]
    except Exception:  # an older matplotlib: the first font only
        paths = [font_manager.findfont(props)]
    faces = []
    for path in paths:
        with contextlib.suppress(Exception):
            faces.append(font_manager.get_font(path))

    @functools.lru_cache(maxsize=4096)
    def has(ch: str) -> bool:
        code = ord(ch)
        return any(face.get_char_index(code) != 0 for face in faces)

    return has


def drawable(text: object, fallback: object = None) -> str:
    """``text`` if the current fonts can draw it, else the best stand-in they can draw.

    The stand-in is ``fallback`` (a node's id) when given and drawable, then the pinyin of a
    Chinese province name, then ``text`` with each run of undrawable characters replaced by
    "?". Call inside :func:`cjk_context` so that the CJK font is taken into account.

    Examples
    --------
    >>> drawable("Zhou Jianguo", "P-ZHOU")
    'Zhou Jianguo'
    """
    value = str(text)
    missing = missing_glyphs(value)
    if not missing:
        return value
    if fallback is not None and not missing_glyphs(fallback):
        return str(fallback)
    if value.strip() in PROVINCE_PINYIN:
        return PROVINCE_PINYIN[value.strip()]
    lacking = set(missing)
    out: list[str] = []
    for ch in value:
        if ch in lacking:
            if not out or out[-1] != "?":
                out.append("?")
        else:
            out.append(ch)
    return "".join(out)
