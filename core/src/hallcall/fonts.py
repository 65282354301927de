"""Where Debian and its neighbours put fonts with Chinese glyphs, in the order HallCall prefers.

One list for the screens (Qt, `hallcall.device_kit.fonts`) and the printer (Pillow,
`hallcall.hardware.printer.fonts`), so a ticket and the screen beside it use the same font.
`scripts/setup.sh` installs the first (Debian's fonts-wqy-microhei).
"""

CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
