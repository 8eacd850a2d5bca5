#!/usr/bin/env python3
"""Convert a PC Screen Font (PSF1 or PSF2, optionally gzipped) into a C file
defining `const struct font console_font` (drivers/video/font.h).

    scripts/psf2c.py FONT.psf[.gz] OUT.c

The font is not kept in the tree: the build reads one of Debian's console
fonts (/usr/share/consolefonts, package console-setup-linux).

Header layouts (from the kbd documentation of the formats):
  PSF1: u8 magic[2] = 36 04, u8 mode, u8 charsize (= height; width is 8).
        mode bit 0: 512 glyphs instead of 256; bit 1 or 2: a Unicode table
        follows the glyphs: per glyph, u16le code points ending in FFFF,
        FFFE starting a combining sequence.
  PSF2: u32le magic 864ab572, version, headersize, flags, length (glyphs),
        charsize (bytes per glyph), height, width. flags bit 0: a Unicode
        table follows: per glyph, UTF-8 code points ending in byte FF, byte
        FE starting a sequence.
Glyph rows are (width + 7) / 8 bytes, most significant bit leftmost.
"""
import gzip
import os
import struct
import sys

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE512 = 0x01
PSF1_MODEHASTAB = 0x02
PSF1_MODESEQ = 0x04
PSF2_MAGIC = 0x864AB572
PSF2_HAS_UNICODE_TABLE = 0x01

MAX_CODEPOINT = 0xFFFF      # the map stores u16 code points


class FontError(Exception):
    pass


class Font:
    def __init__(self, width, height, glyphs, unimap):
        self.width = width
        self.height = height
        self.bytes_per_row = (width + 7) // 8
        self.glyphs = glyphs        # list of bytes, bytes_per_row * height each
        self.unimap = unimap        # {code point: glyph index}, or None


def parse_psf1(data):
    if len(data) < 4:
        raise FontError("PSF1 header truncated")
    mode, charsize = data[2], data[3]
    count = 512 if mode & PSF1_MODE512 else 256
    if charsize == 0:
        raise FontError("PSF1 glyph height 0")
    end = 4 + count * charsize
    if len(data) < end:
        raise FontError("PSF1 glyph data truncated")
    glyphs = [data[4 + i * charsize:4 + (i + 1) * charsize] for i in range(count)]
    unimap = None
    if mode & (PSF1_MODEHASTAB | PSF1_MODESEQ):
        unimap = {}
        pos = end
        for glyph in range(count):
            in_seq = False
            while True:
                if pos + 2 > len(data):
                    raise FontError("PSF1 unicode table truncated")
                (cp,) = struct.unpack_from("<H", data, pos)
                pos += 2
                if cp == 0xFFFF:
                    break
                if cp == 0xFFFE:
                    in_seq = True       # sequences need combining: not mapped
                elif not in_seq:
                    unimap.setdefault(cp, glyph)
    return Font(8, charsize, glyphs, unimap)


def utf8_decode_one(data, pos):
    """One UTF-8 code point at data[pos]; returns (code point, next pos)."""
    b = data[pos]
    if b < 0x80:
        return b, pos + 1
    if b >= 0xF0:
        n, cp = 3, b & 0x07
    elif b >= 0xE0:
        n, cp = 2, b & 0x0F
    elif b >= 0xC0:
        n, cp = 1, b & 0x1F
    else:
        raise FontError("PSF2 unicode table: bad UTF-8 byte %#x" % b)
    if pos + 1 + n > len(data):
        raise FontError("PSF2 unicode table truncated")
    for i in range(n):
        cp = (cp << 6) | (data[pos + 1 + i] & 0x3F)
    return cp, pos + 1 + n


def parse_psf2(data):
    if len(data) < 32:
        raise FontError("PSF2 header truncated")
    (_magic, _version, headersize, flags, count, charsize, height,
     width) = struct.unpack_from("<8I", data, 0)
    bytes_per_row = (width + 7) // 8
    if width == 0 or height == 0 or count == 0:
        raise FontError("PSF2 font of zero size")
    if charsize != bytes_per_row * height:
        raise FontError("PSF2 charsize %d != %d rows of %d bytes"
                        % (charsize, height, bytes_per_row))
    end = headersize + count * charsize
    if len(data) < end:
        raise FontError("PSF2 glyph data truncated")
    glyphs = [data[headersize + i * charsize:headersize + (i + 1) * charsize]
              for i in range(count)]
    unimap = None
    if flags & PSF2_HAS_UNICODE_TABLE:
        unimap = {}
        pos = end
        for glyph in range(count):
            in_seq = False
            while True:
                if pos >= len(data):
                    raise FontError("PSF2 unicode table truncated")
                b = data[pos]
                if b == 0xFF:
                    pos += 1
                    break
                if b == 0xFE:
                    in_seq = True
                    pos += 1
                    continue
                cp, pos = utf8_decode_one(data, pos)
                if not in_seq:
                    unimap.setdefault(cp, glyph)
    return Font(width, height, glyphs, unimap)


def parse(data):
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:2] == PSF1_MAGIC:
        return parse_psf1(data)
    if len(data) >= 4 and struct.unpack_from("<I", data, 0)[0] == PSF2_MAGIC:
        return parse_psf2(data)
    raise FontError("not a PSF1 or PSF2 font")


def replacement_glyph(font):
    """The glyph drawn for code points the font lacks."""
    if font.unimap is None:
        return ord("?") if len(font.glyphs) > ord("?") else 0
    for cp in (0xFFFD, ord("?"), ord(" ")):
        if cp in font.unimap:
            return font.unimap[cp]
    return 0


def emit_c(font, name, out):
    w = out.write
    w("/* Generated by scripts/psf2c.py from %s; do not edit. */\n" % name)
    w("#include <drivers/video/font.h>\n\n")
    w("static const uint8_t glyphs[%d] = {\n" % (len(font.glyphs) * len(font.glyphs[0])))
    for i, g in enumerate(font.glyphs):
        w("\t/* %d */ %s,\n" % (i, ", ".join("0x%02x" % b for b in g)))
    w("};\n\n")
    entries = []
    if font.unimap is not None:
        entries = sorted((cp, g) for cp, g in font.unimap.items() if cp <= MAX_CODEPOINT)
        w("/* Sorted by code point for binary search. */\n")
        w("static const struct font_unimap unimap[%d] = {\n" % len(entries))
        for cp, g in entries:
            w("\t{ 0x%04x, %d },\n" % (cp, g))
        w("};\n\n")
    w("const struct font console_font = {\n")
    w("\t.name = \"%s\",\n" % name)
    w("\t.width = %d,\n\t.height = %d,\n" % (font.width, font.height))
    w("\t.glyph_count = %d,\n" % len(font.glyphs))
    w("\t.bytes_per_row = %d,\n" % font.bytes_per_row)
    w("\t.bytes_per_glyph = %d,\n" % (font.bytes_per_row * font.height))
    w("\t.glyphs = glyphs,\n")
    if entries:
        w("\t.unimap = unimap,\n\t.unimap_len = %d,\n" % len(entries))
    w("\t.replacement = %d,\n" % replacement_glyph(font))
    w("};\n")


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: psf2c.py FONT.psf[.gz] OUT.c\n")
        return 2
    src, dst = argv[1], argv[2]
    try:
        with open(src, "rb") as f:
            font = parse(f.read())
    except (OSError, FontError) as e:
        sys.stderr.write("psf2c: %s: %s\n" % (src, e))
        return 1
    name = os.path.basename(src)
    for suffix in (".gz", ".psf"):
        if name.endswith(suffix):
            name = name[:-len(suffix)]
    tmp = dst + ".tmp"
    with open(tmp, "w") as out:
        emit_c(font, name, out)
    os.replace(tmp, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
