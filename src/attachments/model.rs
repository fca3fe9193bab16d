//! Attachment type detection and metadata stripping.
//!
//! Residents upload photos, videos and PDFs as part of a report. Two things
//! must hold before anything is shown to anyone:
//!
//! 1. The type is decided from the *content* (never from the file name or the
//!    declared MIME type, both of which the client controls), and only a
//!    small allow-list of formats is accepted. See [`sniff`].
//! 2. The copy that is served to reviewers and partners carries no metadata
//!    that could identify or locate the person who made it: EXIF (GPS,
//!    camera serial numbers, timestamps), XMP, IPTC, comments, PDF authors,
//!    video location atoms and so on. See [`strip_metadata`].
//!
//! The untouched original is sealed elsewhere as evidence; this module only
//! ever produces the stripped copy, so it may drop anything not needed to
//! render the content.
//!
//! Every parser here treats its input as hostile: all lengths are checked,
//! nothing is indexed without a bound, and structures we do not understand are
//! rejected ([`AttachmentError::Malformed`]) rather than passed through, since
//! an unparsed region is a region we could not strip.
//!
//! Known gaps (content rather than metadata, or not worth the risk of
//! breaking playback): text inside compressed media data (e.g. an H.264
//! encoder banner, a codec's `compressorname`), WebM track names and
//! chapter titles, PDF annotation authors, form fields and embedded files.
//! A PDF can still make lopdf allocate a lot of memory (object streams are
//! inflated without a limit), so PDFs are best stripped in a worker with a
//! memory limit.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};

use bytes::Bytes;
use img_parts::png::Png;
use img_parts::riff::RiffContent;
use img_parts::webp::WebP;
use lopdf::{Document, Object, ObjectId};

use AttachmentError::Malformed;

/// The attachment formats we accept.
///
/// The list is deliberately short: every format here has a metadata stripper
/// below and renders in ordinary browsers, so a reviewer never has to open
/// the file in an external application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttachmentKind {
    Jpeg,
    Png,
    Webp,
    Gif,
    Pdf,
    Mp4,
    QuickTime,
    Webm,
}

impl AttachmentKind {
    /// Every accepted kind, so callers (and tests) can iterate the allow-list.
    pub const ALL: [AttachmentKind; 8] = [
        AttachmentKind::Jpeg,
        AttachmentKind::Png,
        AttachmentKind::Webp,
        AttachmentKind::Gif,
        AttachmentKind::Pdf,
        AttachmentKind::Mp4,
        AttachmentKind::QuickTime,
        AttachmentKind::Webm,
    ];

    /// MIME type to send in `Content-Type` when serving the stripped copy;
    /// derived from the sniffed kind so a lying upload cannot choose it.
    pub fn mime(self) -> &'static str {
        match self {
            AttachmentKind::Jpeg => "image/jpeg",
            AttachmentKind::Png => "image/png",
            AttachmentKind::Webp => "image/webp",
            AttachmentKind::Gif => "image/gif",
            AttachmentKind::Pdf => "application/pdf",
            AttachmentKind::Mp4 => "video/mp4",
            AttachmentKind::QuickTime => "video/quicktime",
            AttachmentKind::Webm => "video/webm",
        }
    }

    /// File extension for download names; the uploaded name is never reused
    /// because it may itself be identifying or misleading.
    pub fn extension(self) -> &'static str {
        match self {
            AttachmentKind::Jpeg => "jpg",
            AttachmentKind::Png => "png",
            AttachmentKind::Webp => "webp",
            AttachmentKind::Gif => "gif",
            AttachmentKind::Pdf => "pdf",
            AttachmentKind::Mp4 => "mp4",
            AttachmentKind::QuickTime => "mov",
            AttachmentKind::Webm => "webm",
        }
    }

    /// Stable code stored in the database. Never change an existing code:
    /// stored rows depend on it (see [`AttachmentKind::from_code`]).
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Jpeg => "jpeg",
            AttachmentKind::Png => "png",
            AttachmentKind::Webp => "webp",
            AttachmentKind::Gif => "gif",
            AttachmentKind::Pdf => "pdf",
            AttachmentKind::Mp4 => "mp4",
            AttachmentKind::QuickTime => "quicktime",
            AttachmentKind::Webm => "webm",
        }
    }

    /// Inverse of [`AttachmentKind::as_str`], for reading database rows.
    /// Unknown codes yield `None` instead of a default so that corrupt rows
    /// are noticed rather than served with a guessed type.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }

    /// Whether the kind is a still or animated image (shown inline).
    pub fn is_image(self) -> bool {
        matches!(
            self,
            AttachmentKind::Jpeg | AttachmentKind::Png | AttachmentKind::Webp | AttachmentKind::Gif
        )
    }

    /// Whether the kind is a video (shown in a `<video>` element).
    pub fn is_video(self) -> bool {
        matches!(
            self,
            AttachmentKind::Mp4 | AttachmentKind::QuickTime | AttachmentKind::Webm
        )
    }

    /// Size limit for this kind. Limits differ per kind because a phone
    /// video is legitimately much larger than a photo, while parsing cost
    /// (and abuse potential) grows with size.
    pub fn max_bytes(self) -> usize {
        if self.is_video() {
            MAX_VIDEO_BYTES
        } else if self == AttachmentKind::Pdf {
            MAX_PDF_BYTES
        } else {
            MAX_IMAGE_BYTES
        }
    }
}

/// Largest accepted image (JPEG, PNG, WebP, GIF).
pub const MAX_IMAGE_BYTES: usize = 15 * 1024 * 1024;
/// Largest accepted PDF.
pub const MAX_PDF_BYTES: usize = 20 * 1024 * 1024;
/// Largest accepted video (MP4, QuickTime, WebM).
pub const MAX_VIDEO_BYTES: usize = 50 * 1024 * 1024;

/// Why an attachment was refused.
///
/// The variants are coarse on purpose: the resident only needs to know what
/// to do next, and detailed parser errors would help an attacker probe the
/// parsers without helping the resident.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum AttachmentError {
    #[error("empty file")]
    Empty,
    #[error("file type not allowed")]
    UnsupportedType,
    #[error("file too large")]
    TooLarge { limit: usize },
    #[error("file is damaged or not what it claims to be")]
    Malformed,
}

impl AttachmentError {
    /// Fluent message key, so the UI shows the error in the resident's
    /// language instead of the English `Display` text.
    pub fn message_key(&self) -> &'static str {
        match self {
            AttachmentError::Empty => "attachment-empty",
            AttachmentError::UnsupportedType => "attachment-unsupported",
            AttachmentError::TooLarge { .. } => "attachment-too-large",
            AttachmentError::Malformed => "attachment-malformed",
        }
    }
}

/// Decides the attachment kind from the content alone and enforces the
/// per-kind size limit.
///
/// `infer` does the first match; because several of its matchers are loose
/// (WebP only checks 4 bytes at offset 8, any EBML file counts as WebM), the
/// full signature of the matched kind is then confirmed here.
pub fn sniff(bytes: &[u8]) -> Result<AttachmentKind, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    let kind = detect(bytes).ok_or(AttachmentError::UnsupportedType)?;
    let limit = kind.max_bytes();
    if bytes.len() > limit {
        return Err(AttachmentError::TooLarge { limit });
    }
    Ok(kind)
}

fn detect(bytes: &[u8]) -> Option<AttachmentKind> {
    let kind = match infer::get(bytes)?.mime_type() {
        "image/jpeg" => AttachmentKind::Jpeg,
        "image/png" => AttachmentKind::Png,
        "image/webp" => AttachmentKind::Webp,
        "image/gif" => AttachmentKind::Gif,
        "application/pdf" => AttachmentKind::Pdf,
        "video/mp4" => AttachmentKind::Mp4,
        "video/quicktime" => AttachmentKind::QuickTime,
        "video/webm" => AttachmentKind::Webm,
        _ => return None,
    };
    let confirmed = match kind {
        AttachmentKind::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        AttachmentKind::Png => bytes.starts_with(PNG_SIGNATURE),
        AttachmentKind::Webp => {
            bytes.starts_with(b"RIFF")
                && bytes.get(8..12) == Some(b"WEBP")
                && matches!(bytes.get(12..16), Some(b"VP8 " | b"VP8L" | b"VP8X"))
        }
        AttachmentKind::Gif => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        AttachmentKind::Pdf => bytes.starts_with(b"%PDF-"),
        // infer already matched a box type or ftyp brand at fixed offsets;
        // the box walk in `strip_metadata` validates the rest.
        AttachmentKind::Mp4 | AttachmentKind::QuickTime => true,
        AttachmentKind::Webm => webm_doctype(bytes).is_some_and(|doc| doc == b"webm"),
    };
    confirmed.then_some(kind)
}

/// Produces the copy of an attachment that may be served: same content,
/// identifying metadata removed.
///
/// `kind` should come from [`sniff`]; the size limit is re-checked because
/// this function may also be called on stored data. Output is a new buffer;
/// the input (the sealed original) is never modified.
///
/// Per format:
/// - JPEG: only decoding segments survive (JFIF without thumbnail, Adobe,
///   ICC profile, tables, frames, scans). EXIF, XMP, IPTC, MPF, comments and
///   anything after EOI (appended images, "motion photo" videos) are
///   dropped. The EXIF orientation alone is carried over, in a new EXIF
///   block holding nothing else, so that a photo taken in portrait is not
///   shown lying on its side.
/// - PNG: an allow-list of rendering chunks; text, `eXIf`, `tIME` and
///   private chunks are dropped.
/// - WebP: `EXIF`/`XMP ` (and unknown) chunks dropped, VP8X flags cleared.
/// - GIF: comments and application extensions dropped, except the
///   NETSCAPE2.0 loop count, which is re-encoded from scratch.
/// - PDF: document info, XMP streams and `PieceInfo` removed, EXIF inside
///   embedded JPEG images stripped, unreachable objects (including older
///   revisions) dropped. Encrypted PDFs, and PDFs nested deeply enough to
///   crash the parser, are refused.
/// - MP4/QuickTime: `udta`, `meta` and `uuid` boxes are overwritten in place
///   with `free` boxes, creation times zeroed, samples of timed-metadata
///   tracks (GoPro GPS telemetry and similar) zeroed. Byte offsets do not
///   move, so the video still plays.
/// - WebM: `Tags` and `Attachments` replaced in place by `Void`, and the
///   title, muxing/writing application and date blanked.
pub fn strip_metadata(kind: AttachmentKind, bytes: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    let limit = kind.max_bytes();
    if bytes.len() > limit {
        return Err(AttachmentError::TooLarge { limit });
    }
    match kind {
        AttachmentKind::Jpeg => strip_jpeg(bytes),
        AttachmentKind::Png => strip_png(bytes),
        AttachmentKind::Webp => strip_webp(bytes),
        AttachmentKind::Gif => strip_gif(bytes),
        AttachmentKind::Pdf => strip_pdf(bytes),
        AttachmentKind::Mp4 | AttachmentKind::QuickTime => {
            let mut out = bytes.to_vec();
            strip_isobmff(&mut out)?;
            Ok(out)
        }
        AttachmentKind::Webm => {
            let mut out = bytes.to_vec();
            strip_webm(&mut out)?;
            Ok(out)
        }
    }
}

// ---------------------------------------------------------------------------
// JPEG
// ---------------------------------------------------------------------------

mod jpeg_marker {
    pub const SOI: u8 = 0xD8;
    pub const EOI: u8 = 0xD9;
    pub const SOS: u8 = 0xDA;
    pub const TEM: u8 = 0x01;
    pub const APP0: u8 = 0xE0;
    pub const APP1: u8 = 0xE1;
    pub const APP2: u8 = 0xE2;
    pub const APP14: u8 = 0xEE;
}

/// Rewrites a JPEG keeping only what a decoder needs.
///
/// Hand-written rather than using `img-parts`, because `img-parts` stops
/// parsing at the first scan and keeps everything after it verbatim; in a
/// progressive JPEG that can include further APPn/COM segments, and after EOI
/// it includes MPF secondary images (with their own EXIF) and appended
/// "motion photo" videos.
fn strip_jpeg(input: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    use jpeg_marker::*;

    if !input.starts_with(&[0xFF, SOI]) {
        return Err(Malformed);
    }
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut pos = 2;
    let mut seen_frame = false;
    let mut seen_scan = false;
    let mut wrote_orientation = false;

    while let Some((marker, after)) = next_jpeg_marker(input, pos) {
        pos = after;
        match marker {
            EOI => {
                if !seen_scan {
                    return Err(Malformed);
                }
                // Anything after EOI is not part of this image: drop it.
                out.extend_from_slice(&[0xFF, EOI]);
                return Ok(out);
            }
            // A second SOI outside a segment means concatenated or corrupt data.
            SOI => return Err(Malformed),
            // Stand-alone markers carry no data; stray restart markers
            // outside a scan are dropped like libjpeg does.
            TEM | 0xD0..=0xD7 => continue,
            _ => {}
        }

        let len_bytes = input.get(pos..pos + 2).ok_or(Malformed)?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if len < 2 {
            return Err(Malformed);
        }
        let payload = input.get(pos + 2..pos + len).ok_or(Malformed)?;
        pos += len;

        if is_sof(marker) {
            seen_frame = true;
        }
        if marker == APP1
            && !seen_frame
            && !wrote_orientation
            && let Some(orientation) = exif_orientation(payload)
        {
            push_jpeg_segment(&mut out, APP1, &orientation_exif(orientation))?;
            wrote_orientation = true;
        }
        if let Some(kept) = keep_jpeg_segment(marker, payload) {
            push_jpeg_segment(&mut out, marker, kept)?;
        }
        if marker == SOS {
            if !seen_frame {
                return Err(Malformed);
            }
            seen_scan = true;
            let end = entropy_data_end(input, pos);
            out.extend_from_slice(&input[pos..end]);
            pos = end;
        }
    }

    // Truncated after image data (e.g. an interrupted upload from a camera
    // app): decoders render what is there, so close it properly.
    if seen_scan {
        out.extend_from_slice(&[0xFF, EOI]);
        Ok(out)
    } else {
        Err(Malformed)
    }
}

/// The EXIF orientation tag (IFD0, tag 0x0112), when an APP1 payload is an EXIF block that has
/// one other than "as stored" (1). Anything malformed is simply no orientation.
fn exif_orientation(payload: &[u8]) -> Option<u16> {
    let tiff = payload.strip_prefix(b"Exif\0\0")?;
    let big_endian = match tiff.get(..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        let b = tiff.get(at..at.checked_add(2)?)?;
        Some(if big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let b = tiff.get(4..8)?;
    let ifd0 = if big_endian {
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    } else {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    };
    let ifd0 = usize::try_from(ifd0).ok()?;
    let entries = usize::from(u16_at(ifd0)?);
    (0..entries).find_map(|i| {
        let entry = ifd0 + 2 + 12 * i;
        const ORIENTATION: u16 = 0x0112;
        const SHORT: u16 = 3;
        if u16_at(entry)? != ORIENTATION || u16_at(entry + 2)? != SHORT {
            return None;
        }
        u16_at(entry + 8).filter(|o| (2..=8).contains(o))
    })
}

/// An EXIF block holding the orientation and nothing else: a big-endian TIFF header and an
/// IFD0 of one entry.
fn orientation_exif(orientation: u16) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0*".to_vec();
    exif.extend_from_slice(&8u32.to_be_bytes()); // IFD0 right after the header
    exif.extend_from_slice(&1u16.to_be_bytes()); // one entry:
    exif.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation,
    exif.extend_from_slice(&3u16.to_be_bytes()); // a SHORT,
    exif.extend_from_slice(&1u32.to_be_bytes()); // one of them,
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0]); // (value padded to four bytes)
    exif.extend_from_slice(&0u32.to_be_bytes()); // no further IFD
    exif
}

fn is_sof(marker: u8) -> bool {
    // C4 (DHT), C8 (reserved JPG) and CC (DAC) share the range but are not frames.
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Decides whether a segment survives, and with which payload.
fn keep_jpeg_segment(marker: u8, payload: &[u8]) -> Option<&[u8]> {
    use jpeg_marker::*;
    match marker {
        // Frames, Huffman/arithmetic/quantisation tables, restart interval,
        // scans, DNL and hierarchical-mode markers: needed to decode.
        _ if is_sof(marker) => Some(payload),
        0xC4 | 0xCC | 0xDB | 0xDD | 0xDC | 0xDA | 0xDE | 0xDF => Some(payload),
        // JFIF header without its optional embedded thumbnail: a thumbnail
        // may show the uncropped original.
        APP0 if payload.len() >= 14 && payload.starts_with(b"JFIF\0") => Some(&payload[..12]),
        // Adobe marker tells decoders the colour transform (CMYK/YCCK);
        // it has a fixed 12-byte layout, extra bytes are dropped.
        APP14 if payload.len() >= 12 && payload.starts_with(b"Adobe") => Some(&payload[..12]),
        // ICC colour profiles are kept: wide-gamut phone photos look wrong
        // without them, and they describe a colour space, not a person.
        APP2 if payload.starts_with(b"ICC_PROFILE\0") => Some(payload),
        // Everything else: EXIF/XMP (APP1), MPF/FlashPix (APP2), IPTC (APP13),
        // other APPn, COM, JPGn and reserved markers.
        _ => None,
    }
}

fn push_jpeg_segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) -> Result<(), AttachmentError> {
    out.extend_from_slice(&[0xFF, marker]);
    if marker == jpeg_marker::APP0 {
        // Rebuild JFIF with a 0x0 thumbnail (the 12 bytes kept are
        // "JFIF\0", version, units and densities).
        out.extend_from_slice(&16u16.to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&[0, 0]);
    } else {
        let len = u16::try_from(payload.len() + 2).map_err(|_| Malformed)?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(payload);
    }
    Ok(())
}

/// Finds the next marker at or after `pos`, skipping garbage and 0xFF fill
/// bytes (tolerated by libjpeg). Returns the marker code and the offset just
/// past it, or `None` at end of input.
fn next_jpeg_marker(input: &[u8], mut pos: usize) -> Option<(u8, usize)> {
    loop {
        let ff = pos + input.get(pos..)?.iter().position(|&b| b == 0xFF)?;
        let mut next = ff + 1;
        while input.get(next) == Some(&0xFF) {
            next += 1;
        }
        match input.get(next) {
            None => return None,
            // FF00 outside a scan is not a marker; keep looking.
            Some(0x00) => pos = next + 1,
            Some(&marker) => return Some((marker, next + 1)),
        }
    }
}

/// Returns the end of entropy-coded data that starts at `start`: the first
/// 0xFF that introduces a marker other than a byte-stuffing `FF00` or a
/// restart marker `FFD0..FFD7` (which belong to the scan data).
fn entropy_data_end(input: &[u8], start: usize) -> usize {
    let mut pos = start;
    loop {
        let Some(rel) = input
            .get(pos..)
            .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
        else {
            return input.len();
        };
        let ff = pos + rel;
        let mut next = ff + 1;
        while input.get(next) == Some(&0xFF) {
            next += 1;
        }
        match input.get(next) {
            // A dangling 0xFF at the very end is dropped.
            None => return ff,
            Some(0x00 | 0xD0..=0xD7) => pos = next + 1,
            Some(_) => return ff,
        }
    }
}

// ---------------------------------------------------------------------------
// PNG
// ---------------------------------------------------------------------------

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Ancillary chunks that affect how the image looks (colour, transparency,
/// animation). Everything else ancillary (tEXt, zTXt, iTXt, eXIf, tIME,
/// private chunks...) is dropped: an allow-list cannot be bypassed by a chunk
/// type we did not think of.
const PNG_KEEP_ANCILLARY: [&[u8; 4]; 14] = [
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs", b"cICP", b"mDCv",
    b"cLLI", b"acTL", b"fcTL", b"fdAT",
];
const PNG_CRITICAL: [&[u8; 4]; 4] = [b"IHDR", b"PLTE", b"IDAT", b"IEND"];

fn strip_png(input: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    // img-parts verifies every CRC and stops at IEND (dropping trailing data).
    let mut png = Png::from_bytes(Bytes::copy_from_slice(input)).map_err(|_| Malformed)?;
    let chunks = png.chunks();
    let first_is_ihdr = chunks.first().is_some_and(|c| &c.kind() == b"IHDR");
    let last_is_iend = chunks.last().is_some_and(|c| &c.kind() == b"IEND");
    let has_idat = chunks.iter().any(|c| &c.kind() == b"IDAT");
    // An unknown critical chunk (uppercase first letter) means decoders must
    // refuse the image anyway (e.g. Apple's CgBI variant).
    let unknown_critical = chunks
        .iter()
        .any(|c| c.kind()[0] & 0x20 == 0 && !PNG_CRITICAL.contains(&&c.kind()));
    if !first_is_ihdr || !last_is_iend || !has_idat || unknown_critical {
        return Err(Malformed);
    }
    png.chunks_mut().retain(|c| {
        let kind = c.kind();
        PNG_CRITICAL.contains(&&kind) || PNG_KEEP_ANCILLARY.contains(&&kind)
    });
    Ok(png.encoder().bytes().to_vec())
}

// ---------------------------------------------------------------------------
// WebP
// ---------------------------------------------------------------------------

/// VP8X header flag bits announcing EXIF and XMP chunks; cleared when the
/// chunks are removed so readers do not look for missing metadata.
const VP8X_EXIF_FLAG: u8 = 0b0000_1000;
const VP8X_XMP_FLAG: u8 = 0b0000_0100;

/// Chunks needed to render a (possibly animated, possibly alpha) WebP.
const WEBP_KEEP: [&[u8; 4]; 7] = [
    b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
];

fn strip_webp(input: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let mut webp = WebP::from_bytes(Bytes::copy_from_slice(input)).map_err(|_| Malformed)?;
    let has_image = webp
        .chunks()
        .iter()
        .any(|c| matches!(&c.id(), b"VP8 " | b"VP8L" | b"VP8X"));
    if !has_image {
        return Err(Malformed);
    }
    webp.chunks_mut().retain(|c| WEBP_KEEP.contains(&&c.id()));
    for chunk in webp.chunks_mut().iter_mut().filter(|c| &c.id() == b"VP8X") {
        match chunk.content_mut() {
            // VP8X is 1 flag byte, 3 reserved bytes, 2x 24-bit canvas size.
            RiffContent::Data(data) if data.len() >= 10 => {
                let mut patched = data.to_vec();
                patched[0] &= !(VP8X_EXIF_FLAG | VP8X_XMP_FLAG);
                *data = Bytes::from(patched);
            }
            _ => return Err(Malformed),
        }
    }
    Ok(webp.encoder().bytes().to_vec())
}

// ---------------------------------------------------------------------------
// GIF
// ---------------------------------------------------------------------------

/// Bounds-checked forward reader over untrusted bytes.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], AttachmentError> {
        let end = self.pos.checked_add(n).ok_or(Malformed)?;
        let slice = self.buf.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, AttachmentError> {
        Ok(self.take(1)?[0])
    }

    fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Reads a chain of GIF data sub-blocks, returning all of them including
    /// the zero-length terminator.
    fn sub_blocks(&mut self) -> Result<&'a [u8], AttachmentError> {
        let start = self.pos;
        loop {
            let len = self.u8()?;
            if len == 0 {
                return Ok(&self.buf[start..self.pos]);
            }
            self.take(usize::from(len))?;
        }
    }
}

fn gif_color_table_len(packed: u8) -> usize {
    3 << ((packed & 0x07) + 1)
}

/// Rewrites a GIF keeping the screen descriptor, colour tables, images,
/// graphic-control and plain-text extensions and the loop count.
///
/// Comment extensions and application extensions (XMP, ICC, editor data)
/// are dropped. The NETSCAPE2.0 loop extension is re-emitted in canonical
/// form instead of copied, so its sub-blocks cannot smuggle data through.
fn strip_gif(input: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let mut r = Cursor::new(input);
    let header = r.take(6)?;
    if header != b"GIF87a" && header != b"GIF89a" {
        return Err(Malformed);
    }
    let screen = r.take(7)?;
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(header);
    out.extend_from_slice(screen);
    if screen[4] & 0x80 != 0 {
        out.extend_from_slice(r.take(gif_color_table_len(screen[4]))?);
    }

    let mut images = 0usize;
    loop {
        if r.at_end() {
            // A missing trailer at a block boundary is a common encoder
            // quirk; browsers accept it, so we close the file ourselves.
            break;
        }
        match r.u8()? {
            0x3B => break,
            0x2C => {
                let descriptor = r.take(9)?;
                out.push(0x2C);
                out.extend_from_slice(descriptor);
                if descriptor[8] & 0x80 != 0 {
                    out.extend_from_slice(r.take(gif_color_table_len(descriptor[8]))?);
                }
                let min_code_size = r.u8()?;
                if !(1..=11).contains(&min_code_size) {
                    return Err(Malformed);
                }
                out.push(min_code_size);
                out.extend_from_slice(r.sub_blocks()?);
                images += 1;
            }
            0x21 => {
                let label = r.u8()?;
                let blocks = r.sub_blocks()?;
                match label {
                    // Graphic control (frame timing, transparency) and plain
                    // text (rendered content per the spec).
                    0xF9 | 0x01 => {
                        out.extend_from_slice(&[0x21, label]);
                        out.extend_from_slice(blocks);
                    }
                    0xFF => {
                        if let Some(loops) = gif_loop_count(blocks) {
                            out.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01");
                            out.extend_from_slice(&loops.to_le_bytes());
                            out.push(0);
                        }
                    }
                    // Comments (0xFE) and unknown extensions are dropped.
                    _ => {}
                }
            }
            _ => return Err(Malformed),
        }
    }
    if images == 0 {
        return Err(Malformed);
    }
    out.push(0x3B);
    Ok(out)
}

/// Extracts the loop count from a NETSCAPE2.0 (or identical ANIMEXTS1.0)
/// application extension; `None` for any other application extension.
fn gif_loop_count(blocks: &[u8]) -> Option<u16> {
    let ident = blocks.get(..12)?;
    if ident[0] != 11 || !(&ident[1..] == b"NETSCAPE2.0" || &ident[1..] == b"ANIMEXTS1.0") {
        return None;
    }
    let mut pos = 12;
    loop {
        let len = usize::from(*blocks.get(pos)?);
        if len == 0 {
            return None;
        }
        let block = blocks.get(pos + 1..pos + 1 + len)?;
        if len == 3 && block[0] == 1 {
            return Some(u16::from_le_bytes([block[1], block[2]]));
        }
        pos += 1 + len;
    }
}

// ---------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------

/// Stack for the PDF worker thread. lopdf's parser recurses once per nested
/// array/dictionary; [`pdf_prescan`] caps that nesting at
/// [`MAX_PDF_NESTING`], and this stack leaves a wide margin for it even in
/// unoptimised builds (about 25 KiB per level), independent of the caller's
/// (possibly 2 MiB async-runtime) stack. It is reserved, not committed.
const PDF_THREAD_STACK: usize = 64 * 1024 * 1024;

/// Deepest array/dictionary nesting accepted in a PDF. Real documents stay
/// far below this; deeper nesting only serves to exhaust the parser's stack,
/// and a stack overflow aborts the whole server, it cannot be caught.
const MAX_PDF_NESTING: usize = 128;

/// Placeholder that the load filter puts in place of an object stream that
/// failed the nesting check, so the failure can be seen after loading.
const PDF_REJECTED_MARKER: &[u8] = b"MistokRejectedObjectStream";

/// Dictionary keys that carry document metadata or private application data
/// rather than content: XMP streams and authoring-application state.
const PDF_METADATA_KEYS: [&[u8]; 2] = [b"Metadata", b"PieceInfo"];

/// Runs the PDF rewrite on its own thread with a large stack. lopdf is not
/// hardened against hostile input, so a panic inside it is turned into
/// `Malformed` instead of taking down the request handler.
///
/// Not covered: lopdf inflates object streams without an output limit, so
/// a crafted file can still use a lot of memory; run this in a worker with
/// a memory limit if that matters.
fn strip_pdf(input: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("attachment-pdf".into())
            .stack_size(PDF_THREAD_STACK)
            .spawn_scoped(scope, || strip_pdf_inner(input));
        match spawned {
            Ok(handle) => handle.join().unwrap_or(Err(Malformed)),
            // Could not get a thread (resource limits): still never panic.
            Err(_) => panic::catch_unwind(AssertUnwindSafe(|| strip_pdf_inner(input)))
                .unwrap_or(Err(Malformed)),
        }
    })
}

fn strip_pdf_inner(input: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    // Must run before lopdf sees the bytes: see `pdf_prescan`.
    pdf_prescan(input)?;
    let reader = lopdf::Reader {
        buffer: input,
        document: Document::new(),
        encryption_state: None,
        raw_objects: Default::default(),
    };
    let mut doc = reader.read(Some(pdf_load_filter)).map_err(|_| Malformed)?;
    let rejected = doc
        .objects
        .values()
        .any(|obj| matches!(obj, Object::Name(name) if name == PDF_REJECTED_MARKER));
    if rejected {
        return Err(Malformed);
    }

    // We cannot rewrite what we cannot read, and lopdf silently decrypts
    // files with an empty user password; refuse all encrypted files.
    if doc.trailer.get(b"Encrypt").is_ok() || doc.encryption_state.is_some() {
        return Err(Malformed);
    }
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Malformed)?;
    if doc.get_dictionary(root).is_err() {
        return Err(Malformed);
    }

    // The document information dictionary (Author, Creator, Producer, dates).
    if let Ok(info) = doc.trailer.get(b"Info").and_then(Object::as_reference) {
        doc.objects.remove(&info);
    }
    // Rebuild the trailer from an allow-list: Root is required and /ID is
    // kept because some readers need it (it is random, not identifying).
    // Everything else (Info, private keys, stale xref-stream fields) goes.
    let id = doc.trailer.get(b"ID").ok().cloned();
    doc.trailer = lopdf::Dictionary::new();
    doc.trailer.set("Root", Object::Reference(root));
    if let Some(id) = id {
        doc.trailer.set("ID", id);
    }

    // XMP packets are streams of /Type /Metadata; remove them wherever they
    // are referenced from (catalog, pages, images, fonts...).
    doc.objects.retain(|_, obj| !is_metadata_stream(obj));
    for obj in doc.objects.values_mut() {
        remove_pdf_metadata_keys(obj);
        strip_embedded_jpeg(obj);
    }
    prune_unreachable(&mut doc);

    // A classic xref table is the most widely readable, and it means the
    // objects formerly in (compressed) object streams are written anew.
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut out = Vec::with_capacity(input.len());
    doc.save_to(&mut out).map_err(|_| Malformed)?;
    Ok(out)
}

/// Called by lopdf for every object it loads, before it parses the objects
/// packed inside an object stream. Compressed object streams are invisible
/// to [`pdf_prescan`], so they get the same nesting check here, on their
/// decompressed content; a failing one is swapped for a marker.
///
/// lopdf discards the returned value for top-level objects and stores it
/// for objects from inside object streams (which are never streams), so
/// streams need no copy.
fn pdf_load_filter(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = obj {
        if stream.dict.has_type(b"ObjStm") && !pdf_object_stream_is_safe(stream) {
            *obj = Object::Name(PDF_REJECTED_MARKER.to_vec());
        }
        return Some((id, Object::Null));
    }
    Some((id, obj.clone()))
}

/// Mirrors how lopdf's `ObjectStream::new` finds the objects in an object
/// stream (decompressed if possible, offsets from the index before /First)
/// and checks the nesting of each one.
fn pdf_object_stream_is_safe(stream: &lopdf::Stream) -> bool {
    let decompressed = stream.decompressed_content().ok();
    let content = decompressed.as_deref().unwrap_or(&stream.content);
    let Some(first) = stream
        .dict
        .get(b"First")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|first| usize::try_from(first).ok())
    else {
        return true; // lopdf refuses the stream without parsing it
    };
    let Some(index) = content
        .get(..first)
        .and_then(|i| std::str::from_utf8(i).ok())
    else {
        return true; // likewise
    };
    let mut budget = PdfScanBudget::for_len(content.len());
    let numbers: Vec<Option<u32>> = index.split_whitespace().map(|n| n.parse().ok()).collect();
    numbers.chunks_exact(2).all(|pair| {
        let Some(offset) = pair[1].and_then(|o| first.checked_add(o as usize)) else {
            return true;
        };
        offset >= content.len() || pdf_scan_value(content, offset, &mut budget).is_ok()
    })
}

/// Checks, before lopdf parses anything, that no object lopdf could parse
/// nests arrays/dictionaries deeper than [`MAX_PDF_NESTING`], and that the
/// file is not encrypted (lopdf's decryption path parses object streams
/// without the load filter).
///
/// lopdf parses indirect objects only right after an `obj` keyword and the
/// trailer right after `trailer`, so every such place is scanned with a
/// tokenizer that follows lopdf 0.38's grammar (whitespace, comments,
/// literal and hex strings, names, `[`/`]`, `<<`/`>>`, and the bare words
/// numbers, `null`, `true`, `false`, `R`). It gives up where lopdf would
/// fail too. Re-check this against lopdf's `parser` module when upgrading.
fn pdf_prescan(input: &[u8]) -> Result<(), AttachmentError> {
    let mut budget = PdfScanBudget::for_len(input.len());
    for keyword in [&b"obj"[..], b"trailer"] {
        let mut from = 0;
        while let Some(at) = input
            .get(from..)
            .and_then(|rest| rest.windows(keyword.len()).position(|w| w == keyword))
        {
            let after = from + at + keyword.len();
            pdf_scan_value(input, after, &mut budget)?;
            from = after;
        }
    }
    Ok(())
}

/// Bounds the total work of the scans over one buffer; legitimate files
/// need about one pass, overlapping scans only come from crafted input.
struct PdfScanBudget(usize);

impl PdfScanBudget {
    fn for_len(len: usize) -> Self {
        PdfScanBudget(len.saturating_mul(8).saturating_add(4096))
    }

    fn spend(&mut self, n: usize) -> Result<(), AttachmentError> {
        self.0 = self.0.checked_sub(n).ok_or(Malformed)?;
        Ok(())
    }
}

fn pdf_is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0 | 0x0C)
}

fn pdf_is_regular(c: u8) -> bool {
    !pdf_is_whitespace(c) && !b"()<>[]{}/%".contains(&c)
}

/// Scans one value starting at `pos` (after optional whitespace) the way
/// lopdf would parse it, failing if it nests too deeply or names
/// `/Encrypt`. Returns `Ok` when the value ends or where lopdf would stop
/// with a parse error.
fn pdf_scan_value(
    buf: &[u8],
    mut pos: usize,
    budget: &mut PdfScanBudget,
) -> Result<(), AttachmentError> {
    let mut depth = 0usize;
    loop {
        let start = pos;
        // Whitespace and comments (a comment must end with an EOL).
        loop {
            match buf.get(pos) {
                Some(&c) if pdf_is_whitespace(c) => pos += 1,
                Some(b'%') => {
                    let Some(eol) = buf[pos..].iter().position(|&c| c == b'\r' || c == b'\n')
                    else {
                        return Ok(());
                    };
                    pos += eol + 1;
                }
                _ => break,
            }
        }
        let Some(&c) = buf.get(pos) else {
            return Ok(());
        };
        match c {
            b'[' => {
                depth += 1;
                pos += 1;
            }
            b'<' if buf.get(pos + 1) == Some(&b'<') => {
                depth += 1;
                pos += 2;
            }
            b']' | b'>' => {
                let width = if c == b'>' { 2 } else { 1 };
                if depth == 0 || (c == b'>' && buf.get(pos + 1) != Some(&b'>')) {
                    return Ok(());
                }
                depth -= 1;
                pos += width;
            }
            b'<' => {
                // Hex string: hex digits and whitespace only.
                pos += 1;
                loop {
                    match buf.get(pos) {
                        Some(b'>') => break,
                        Some(&h) if h.is_ascii_hexdigit() || pdf_is_whitespace(h) => pos += 1,
                        _ => return Ok(()),
                    }
                }
                pos += 1;
            }
            b'(' => {
                // Literal string: balanced parentheses, backslash escapes.
                let mut parens = 0usize;
                loop {
                    match buf.get(pos) {
                        None => return Ok(()),
                        Some(b'\\') => pos += 2,
                        Some(b'(') => {
                            parens += 1;
                            pos += 1;
                        }
                        Some(b')') => {
                            parens -= 1;
                            pos += 1;
                            if parens == 0 {
                                break;
                            }
                        }
                        Some(_) => pos += 1,
                    }
                }
            }
            b'/' => {
                pos += 1;
                let mut name = Vec::new();
                loop {
                    match buf.get(pos) {
                        Some(b'#') => {
                            let Some(byte) = buf
                                .get(pos + 1..pos + 3)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                            else {
                                break;
                            };
                            name.push(byte);
                            pos += 3;
                        }
                        Some(&r) if pdf_is_regular(r) => {
                            name.push(r);
                            pos += 1;
                        }
                        _ => break,
                    }
                }
                if name == b"Encrypt" {
                    return Err(Malformed);
                }
            }
            _ if pdf_is_regular(c) => {
                let len = buf[pos..]
                    .iter()
                    .take_while(|&&r| pdf_is_regular(r))
                    .count();
                // Numbers, null/true/false and the R of references (lopdf
                // also accepts them glued together, e.g. `true1`).
                let valid = buf[pos..pos + len]
                    .iter()
                    .all(|&r| r.is_ascii_digit() || b"+-.nultrefasR".contains(&r));
                if !valid {
                    return Ok(());
                }
                pos += len;
            }
            // ')', '{', '}' cannot start a value.
            _ => return Ok(()),
        }
        budget.spend(pos.saturating_sub(start))?;
        if depth > MAX_PDF_NESTING {
            return Err(Malformed);
        }
        if depth == 0 {
            return Ok(());
        }
    }
}

fn is_metadata_stream(obj: &Object) -> bool {
    matches!(obj, Object::Stream(stream) if stream.dict.has_type(b"Metadata"))
}

/// Removes metadata keys from every dictionary nested anywhere in `obj`.
/// Iterative, so deeply nested input cannot overflow the stack here.
fn remove_pdf_metadata_keys(obj: &mut Object) {
    let mut stack = vec![obj];
    while let Some(obj) = stack.pop() {
        let dict = match obj {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &mut stream.dict,
            Object::Array(items) => {
                stack.extend(items.iter_mut());
                continue;
            }
            _ => continue,
        };
        for key in PDF_METADATA_KEYS {
            dict.remove(key);
        }
        stack.extend(dict.iter_mut().map(|(_, value)| value));
    }
}

/// Images embedded in a PDF with `/DCTDecode` are complete JPEG files and
/// often still carry the camera's EXIF (with GPS) when a phone photo was
/// turned into a PDF. Strip them with the JPEG rules; leave a stream as is if
/// it does not parse, since the viewer may still cope with it.
fn strip_embedded_jpeg(obj: &mut Object) {
    let Object::Stream(stream) = obj else { return };
    let only_dct = stream
        .filters()
        .is_ok_and(|filters| filters.len() == 1 && filters[0] == b"DCTDecode");
    if !only_dct {
        return;
    }
    if let Ok(stripped) = strip_jpeg(&stream.content) {
        stream.set_content(stripped);
    }
}

/// Drops every object not reachable from the trailer: the removed Info and
/// XMP objects, objects from superseded revisions, and any orphan data.
/// (lopdf's own `prune_objects` is quadratic in the number of objects.)
fn prune_unreachable(doc: &mut Document) {
    let mut reachable: HashSet<ObjectId> = HashSet::new();
    let mut pending: Vec<ObjectId> = Vec::new();
    let mut scan: Vec<&Object> = doc.trailer.iter().map(|(_, v)| v).collect();
    loop {
        while let Some(obj) = scan.pop() {
            match obj {
                Object::Reference(id) if reachable.insert(*id) => pending.push(*id),
                Object::Array(items) => scan.extend(items.iter()),
                Object::Dictionary(dict) => scan.extend(dict.iter().map(|(_, v)| v)),
                Object::Stream(stream) => scan.extend(stream.dict.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
        let Some(id) = pending.pop() else { break };
        if let Some(obj) = doc.objects.get(&id) {
            scan.push(obj);
        }
    }
    doc.objects.retain(|id, _| reachable.contains(id));
}

// ---------------------------------------------------------------------------
// MP4 / QuickTime (ISO base media file format)
// ---------------------------------------------------------------------------

/// Where we are in the box tree; only levels that can hold metadata are
/// descended into, which also bounds the recursion depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BoxLevel {
    Top,
    Moov,
    Trak,
    Mdia,
    Minf,
    Moof,
    Traf,
}

#[derive(Debug, Clone, Copy)]
struct BoxHeader {
    kind: [u8; 4],
    start: usize,
    payload: usize,
    end: usize,
}

/// Reads the box header at `pos`, validating that the box fits inside its
/// parent (`end`). A box that claims to overflow its parent is `Malformed`.
fn read_box(data: &[u8], pos: usize, end: usize) -> Result<BoxHeader, AttachmentError> {
    let remaining = end.checked_sub(pos).ok_or(Malformed)?;
    let head = data
        .get(pos..pos + 8)
        .filter(|_| remaining >= 8)
        .ok_or(Malformed)?;
    let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let kind = [head[4], head[5], head[6], head[7]];
    let (header_len, size) = match size32 {
        // "to the end of the enclosing container/file"
        0 => (8usize, remaining as u64),
        1 => {
            let large = data
                .get(pos + 8..pos + 16)
                .filter(|_| remaining >= 16)
                .ok_or(Malformed)?;
            let mut b = [0u8; 8];
            b.copy_from_slice(large);
            (16usize, u64::from_be_bytes(b))
        }
        n => (8usize, u64::from(n)),
    };
    if size < header_len as u64 || size > remaining as u64 {
        return Err(Malformed);
    }
    Ok(BoxHeader {
        kind,
        start: pos,
        payload: pos + header_len,
        end: pos + size as usize,
    })
}

/// Neutralises metadata in an MP4/QuickTime file in place, so that every
/// chunk offset (`stco`/`co64`) still points at the right sample.
fn strip_isobmff(data: &mut [u8]) -> Result<(), AttachmentError> {
    let len = data.len();
    let seen_moov = walk_boxes(data, 0, len, BoxLevel::Top)?;
    // Without a movie header there is nothing playable; refuse rather than
    // pass through a file we did not understand.
    if seen_moov { Ok(()) } else { Err(Malformed) }
}

/// Walks the children of one container. Returns whether a `moov` box was
/// found (only meaningful at the top level).
fn walk_boxes(
    data: &mut [u8],
    start: usize,
    end: usize,
    level: BoxLevel,
) -> Result<bool, AttachmentError> {
    use BoxLevel::*;
    let mut seen_moov = false;
    let mut pos = start;
    while pos < end {
        if level == Top && end - pos < 8 {
            // A few stray bytes after the last box: not a box, so they
            // cannot be parsed; blank them instead of serving them.
            data[pos..end].fill(0);
            break;
        }
        let bx = read_box(data, pos, end)?;
        match (level, &bx.kind) {
            (_, b"udta" | b"meta") => neutralise_box(data, &bx),
            // uuid boxes at these levels are vendor metadata (XMP, camera
            // info); the ones needed for playback live in fragments.
            (Top | Moov | Trak, b"uuid") => neutralise_box(data, &bx),
            // Padding may hold leftovers from an earlier in-place edit.
            (_, b"free" | b"skip") => data[bx.payload..bx.end].fill(0),
            (Top, b"moov") => {
                seen_moov = true;
                walk_boxes(data, bx.payload, bx.end, Moov)?;
            }
            (Top, b"moof") => {
                walk_boxes(data, bx.payload, bx.end, Moof)?;
            }
            (Moof, b"traf") => {
                walk_boxes(data, bx.payload, bx.end, Traf)?;
            }
            (Moov, b"trak") => {
                walk_boxes(data, bx.payload, bx.end, Trak)?;
                zero_timed_metadata_samples(data, &bx)?;
            }
            (Trak, b"mdia") => {
                walk_boxes(data, bx.payload, bx.end, Mdia)?;
            }
            (Mdia, b"minf") => {
                walk_boxes(data, bx.payload, bx.end, Minf)?;
            }
            // Recording date and time: identifying when combined with other
            // information, and already dropped with EXIF for photos.
            (Moov, b"mvhd") | (Trak, b"tkhd") | (Mdia, b"mdhd") => zero_box_times(data, &bx),
            // Handler names are free text that apps (and `ffmpeg
            // -metadata:s handler_name=`) can fill with anything.
            (Mdia | Minf, b"hdlr") => blank_handler_name(data, &bx),
            _ => {}
        }
        pos = bx.end;
    }
    Ok(seen_moov)
}

/// Turns a box into a `free` box of the same size with a zeroed payload.
fn neutralise_box(data: &mut [u8], bx: &BoxHeader) {
    data[bx.start + 4..bx.start + 8].copy_from_slice(b"free");
    data[bx.payload..bx.end].fill(0);
}

/// Zeroes creation/modification time in `mvhd`, `tkhd` and `mdhd`
/// (full boxes: version 0 has 32-bit times, version 1 has 64-bit times).
fn zero_box_times(data: &mut [u8], bx: &BoxHeader) {
    let payload = &mut data[bx.payload..bx.end];
    let times_len = match payload.first() {
        Some(0) => 8,
        Some(1) => 16,
        _ => return,
    };
    if let Some(times) = payload.get_mut(4..4 + times_len) {
        times.fill(0);
    }
}

/// Zeroes the name at the end of a `hdlr` box (after version/flags,
/// pre_defined/component type, handler type and 12 reserved bytes). All
/// zeros is a valid empty name both as an ISO C string and as a QuickTime
/// Pascal string, and the handler type (what players use) is kept.
fn blank_handler_name(data: &mut [u8], bx: &BoxHeader) {
    if let Some(name) = data.get_mut(bx.payload + 24..bx.end) {
        name.fill(0);
    }
}

/// Finds the first child box of `kind` within `start..end`.
fn find_box(
    data: &[u8],
    start: usize,
    end: usize,
    kind: &[u8; 4],
) -> Result<Option<BoxHeader>, AttachmentError> {
    let mut pos = start;
    while pos < end {
        let bx = read_box(data, pos, end)?;
        if &bx.kind == kind {
            return Ok(Some(bx));
        }
        pos = bx.end;
    }
    Ok(None)
}

/// Payload slice of a full box's table, after version/flags.
fn full_box_body<'a>(data: &'a [u8], bx: &BoxHeader) -> Result<&'a [u8], AttachmentError> {
    data.get(bx.payload + 4..bx.end).ok_or(Malformed)
}

fn be_u32(bytes: &[u8], at: usize) -> Result<u32, AttachmentError> {
    let b = bytes.get(at..at + 4).ok_or(Malformed)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be_u64(bytes: &[u8], at: usize) -> Result<u64, AttachmentError> {
    let b = bytes.get(at..at + 8).ok_or(Malformed)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(u64::from_be_bytes(a))
}

/// Timed-metadata tracks (handler `meta`, e.g. GoPro GPMF telemetry with a
/// GPS stream, Apple `mebx`, Google `camm`) keep their payload in `mdat`,
/// not in `udta`/`meta` boxes. Their samples are zeroed in place: players
/// ignore these tracks, and offsets stay valid.
fn zero_timed_metadata_samples(data: &mut [u8], trak: &BoxHeader) -> Result<(), AttachmentError> {
    let Some(mdia) = find_box(data, trak.payload, trak.end, b"mdia")? else {
        return Ok(());
    };
    let Some(hdlr) = find_box(data, mdia.payload, mdia.end, b"hdlr")? else {
        return Ok(());
    };
    // version/flags (4), pre_defined or QuickTime component type (4), handler type (4)
    let handler = data
        .get(hdlr.payload + 8..hdlr.payload + 12)
        .ok_or(Malformed)?;
    if handler != b"meta" && handler != b"camm" {
        return Ok(());
    }
    // From here on we know the track carries metadata, so any table we
    // cannot read is an error rather than something to skip.
    let minf = find_box(data, mdia.payload, mdia.end, b"minf")?.ok_or(Malformed)?;
    let stbl = find_box(data, minf.payload, minf.end, b"stbl")?.ok_or(Malformed)?;
    let stsz = find_box(data, stbl.payload, stbl.end, b"stsz")?.ok_or(Malformed)?;
    let stsc = find_box(data, stbl.payload, stbl.end, b"stsc")?.ok_or(Malformed)?;
    let (chunk_offsets, wide) = match find_box(data, stbl.payload, stbl.end, b"stco")? {
        Some(stco) => (stco, false),
        None => (
            find_box(data, stbl.payload, stbl.end, b"co64")?.ok_or(Malformed)?,
            true,
        ),
    };

    let stsz_body = full_box_body(data, &stsz)?;
    let fixed_size = u64::from(be_u32(stsz_body, 0)?);
    let sample_count = u64::from(be_u32(stsz_body, 4)?);
    if fixed_size == 0 && (stsz_body.len() as u64 - 8) / 4 < sample_count {
        return Err(Malformed);
    }
    let stsc_body = full_box_body(data, &stsc)?;
    let stsc_entries = be_u32(stsc_body, 0)? as usize;
    if (stsc_body.len() - 4) / 12 < stsc_entries {
        return Err(Malformed);
    }
    let co_body = full_box_body(data, &chunk_offsets)?;
    let chunk_count = be_u32(co_body, 0)? as usize;
    let entry_len = if wide { 8 } else { 4 };
    if (co_body.len() - 4) / entry_len < chunk_count {
        return Err(Malformed);
    }

    // Compute all ranges first (immutable borrow), then zero them.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut sample: u64 = 0;
    let mut entry = 0usize;
    for chunk in 0..chunk_count {
        // Advance to the stsc entry that covers this (1-based) chunk.
        while entry + 1 < stsc_entries
            && u64::from(be_u32(stsc_body, 4 + (entry + 1) * 12)?) <= chunk as u64 + 1
        {
            entry += 1;
        }
        if stsc_entries == 0 {
            return Err(Malformed);
        }
        let per_chunk = u64::from(be_u32(stsc_body, 4 + entry * 12 + 4)?);
        let n = per_chunk.min(sample_count.saturating_sub(sample));
        let bytes = if fixed_size != 0 {
            fixed_size.checked_mul(n).ok_or(Malformed)?
        } else {
            let mut total: u64 = 0;
            for s in sample..sample + n {
                total += u64::from(be_u32(stsz_body, 8 + 4 * s as usize)?);
            }
            total
        };
        let offset = if wide {
            be_u64(co_body, 4 + chunk * 8)?
        } else {
            u64::from(be_u32(co_body, 4 + chunk * 4)?)
        };
        let end = offset.checked_add(bytes).ok_or(Malformed)?;
        if end > data.len() as u64 {
            return Err(Malformed);
        }
        ranges.push((offset as usize, end as usize));
        sample += n;
    }
    for (from, to) in ranges {
        data[from..to].fill(0);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// WebM (Matroska / EBML)
// ---------------------------------------------------------------------------

mod ebml_id {
    pub const EBML: u32 = 0x1A45_DFA3;
    pub const DOC_TYPE: u32 = 0x4282;
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const SEEK_HEAD: u32 = 0x114D_9B74;
    pub const INFO: u32 = 0x1549_A966;
    pub const TRACKS: u32 = 0x1654_AE6B;
    pub const CLUSTER: u32 = 0x1F43_B675;
    pub const CUES: u32 = 0x1C53_BB6B;
    pub const CHAPTERS: u32 = 0x1043_A770;
    pub const TAGS: u32 = 0x1254_C367;
    pub const ATTACHMENTS: u32 = 0x1941_A469;
    pub const TITLE: u32 = 0x7BA9;
    pub const MUXING_APP: u32 = 0x4D80;
    pub const WRITING_APP: u32 = 0x5741;
    pub const DATE_UTC: u32 = 0x4461;
    pub const CRC32: u32 = 0xBF;
    pub const VOID: u32 = 0xEC;
}

/// An EBML element header: `size` is `None` for "unknown size" (used by
/// live recorders such as browsers' MediaRecorder for Segment and Cluster).
#[derive(Debug, Clone, Copy)]
struct EbmlHeader {
    id: u32,
    size: Option<u64>,
    data: usize,
}

/// Why a WebM walk stopped early; decides between "serve with the edits made
/// so far" and "refuse".
enum EbmlStop {
    /// The structure could not be followed any further.
    Unclear,
}

fn read_ebml_header(buf: &[u8], pos: usize, end: usize) -> Option<EbmlHeader> {
    let window = buf.get(pos..end)?;
    let first = *window.first()?;
    // Element IDs are 1-4 bytes; the marker bit stays part of the ID.
    let id_len = first.leading_zeros() as usize + 1;
    if id_len > 4 {
        return None;
    }
    let id = window
        .get(..id_len)?
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    let size_first = *window.get(id_len)?;
    let size_len = size_first.leading_zeros() as usize + 1;
    if size_len > 8 {
        return None;
    }
    let size_bytes = window.get(id_len..id_len + size_len)?;
    let mut value = u64::from(size_first) & (0xFF >> size_len);
    for &b in &size_bytes[1..] {
        value = (value << 8) | u64::from(b);
    }
    // All value bits set means "unknown size".
    let all_ones = (1u64 << (7 * size_len)) - 1;
    let size = (value != all_ones).then_some(value);
    Some(EbmlHeader {
        id,
        size,
        data: pos + id_len + size_len,
    })
}

/// End of an element with a known size, if it fits within `limit`.
fn ebml_end(h: &EbmlHeader, limit: usize) -> Option<usize> {
    let size = usize::try_from(h.size?).ok()?;
    h.data.checked_add(size).filter(|&end| end <= limit)
}

/// Reads the DocType from the EBML header at the start of the file.
fn webm_doctype(buf: &[u8]) -> Option<&[u8]> {
    let header = read_ebml_header(buf, 0, buf.len())?;
    if header.id != ebml_id::EBML {
        return None;
    }
    let end = ebml_end(&header, buf.len())?;
    let mut pos = header.data;
    while pos < end {
        let child = read_ebml_header(buf, pos, end)?;
        let child_end = ebml_end(&child, end)?;
        if child.id == ebml_id::DOC_TYPE {
            let value = &buf[child.data..child_end];
            // Strings may be padded with NULs.
            let trimmed = value
                .iter()
                .rposition(|&b| b != 0)
                .map_or(&value[..0], |i| &value[..=i]);
            return Some(trimmed);
        }
        pos = child_end;
    }
    None
}

/// Neutralises WebM metadata in place.
///
/// If the file's structure cannot be followed all the way (e.g. truncated
/// recordings), the edits made so far are kept and the file is accepted only
/// if no `Tags` element ID occurs anywhere in it; otherwise it is refused,
/// since tags we cannot locate are tags we cannot remove.
fn strip_webm(data: &mut [u8]) -> Result<(), AttachmentError> {
    if webm_doctype(data) != Some(b"webm") {
        return Err(Malformed);
    }
    match walk_webm(data) {
        Ok(()) => Ok(()),
        Err(EbmlStop::Unclear) => {
            let tags = ebml_id::TAGS.to_be_bytes();
            if data.windows(4).any(|w| w == tags) {
                Err(Malformed)
            } else {
                Ok(())
            }
        }
    }
}

fn walk_webm(data: &mut [u8]) -> Result<(), EbmlStop> {
    let len = data.len();
    let header = read_ebml_header(data, 0, len).ok_or(EbmlStop::Unclear)?;
    let mut pos = ebml_end(&header, len).ok_or(EbmlStop::Unclear)?;
    while pos < len {
        let h = read_ebml_header(data, pos, len).ok_or(EbmlStop::Unclear)?;
        let end = match h.size {
            // A Segment that claims to be longer than the file is a
            // truncated recording: walk what is there (and stop at the
            // element that is cut off).
            Some(_) if h.id == ebml_id::SEGMENT => {
                ebml_end(&h, usize::MAX).map_or(len, |end| end.min(len))
            }
            Some(_) => ebml_end(&h, len).ok_or(EbmlStop::Unclear)?,
            // An unknown-size Segment runs to the end of the file.
            None if h.id == ebml_id::SEGMENT => len,
            None => return Err(EbmlStop::Unclear),
        };
        if h.id == ebml_id::SEGMENT {
            walk_webm_segment(data, h.data, end)?;
        }
        pos = end;
    }
    Ok(())
}

fn is_segment_child(id: u32) -> bool {
    use ebml_id::*;
    matches!(
        id,
        SEEK_HEAD | INFO | TRACKS | CLUSTER | CUES | CHAPTERS | TAGS | ATTACHMENTS | SEGMENT | EBML
    )
}

fn walk_webm_segment(data: &mut [u8], start: usize, end: usize) -> Result<(), EbmlStop> {
    let mut pos = start;
    while pos < end {
        let h = read_ebml_header(data, pos, end).ok_or(EbmlStop::Unclear)?;
        let elem_end = match h.size {
            Some(_) => ebml_end(&h, end).ok_or(EbmlStop::Unclear)?,
            None if h.id == ebml_id::CLUSTER => unknown_cluster_end(data, h.data, end)?,
            None => return Err(EbmlStop::Unclear),
        };
        match h.id {
            // Tags hold free-form metadata (location, names, dates);
            // attachments can hold whole files. Neither is needed to play.
            ebml_id::TAGS | ebml_id::ATTACHMENTS => write_ebml_void(data, pos, elem_end)?,
            ebml_id::INFO => blank_webm_info(data, h.data, elem_end)?,
            _ => {}
        }
        pos = elem_end;
    }
    Ok(())
}

/// An unknown-size Cluster ends where the next Segment-level element starts.
fn unknown_cluster_end(data: &[u8], start: usize, end: usize) -> Result<usize, EbmlStop> {
    let mut pos = start;
    while pos < end {
        let h = read_ebml_header(data, pos, end).ok_or(EbmlStop::Unclear)?;
        if is_segment_child(h.id) {
            return Ok(pos);
        }
        pos = ebml_end(&h, end).ok_or(EbmlStop::Unclear)?;
    }
    Ok(end)
}

/// Blanks identifying strings in the Segment `Info`: `Title` (free text),
/// `MuxingApp`/`WritingApp` (software fingerprint; mandatory, so they are
/// filled with spaces rather than removed) and `DateUTC` (replaced by Void).
fn blank_webm_info(data: &mut [u8], start: usize, end: usize) -> Result<(), EbmlStop> {
    let mut pos = start;
    let mut crc: Option<(usize, usize)> = None;
    while pos < end {
        let h = read_ebml_header(data, pos, end).ok_or(EbmlStop::Unclear)?;
        let elem_end = ebml_end(&h, end).ok_or(EbmlStop::Unclear)?;
        match h.id {
            ebml_id::TITLE | ebml_id::MUXING_APP | ebml_id::WRITING_APP => {
                data[h.data..elem_end].fill(b' ')
            }
            ebml_id::DATE_UTC => write_ebml_void(data, pos, elem_end)?,
            ebml_id::CRC32 if elem_end - h.data == 4 => crc = Some((h.data, elem_end)),
            _ => {}
        }
        pos = elem_end;
    }
    // A CRC-32 element covers the rest of its parent; keep it valid so
    // strict readers do not flag the file as corrupt.
    if let Some((crc_start, crc_end)) = crc {
        let sum = crc32(&data[crc_end..end]);
        data[crc_start..crc_end].copy_from_slice(&sum.to_le_bytes());
    }
    Ok(())
}

/// Overwrites `start..end` with a `Void` element of exactly that length.
fn write_ebml_void(data: &mut [u8], start: usize, end: usize) -> Result<(), EbmlStop> {
    let total = end
        .checked_sub(start)
        .filter(|&t| t >= 2)
        .ok_or(EbmlStop::Unclear)?;
    let region = data.get_mut(start..end).ok_or(EbmlStop::Unclear)?;
    region.fill(0);
    region[0] = ebml_id::VOID as u8;
    if total - 2 < 0x7F {
        // 1-byte size (0x7F would mean "unknown").
        region[1] = 0x80 | (total - 2) as u8;
    } else {
        // 8-byte size: marker byte 0x01 then 7 value bytes.
        let value = (total as u64 - 9).to_be_bytes();
        region[1] = 0x01;
        region[2..9].copy_from_slice(&value[1..]);
    }
    Ok(())
}

/// CRC-32 (IEEE 802.3), as used by Matroska `CRC-32` elements.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};
    use proptest::prelude::*;

    const SECRET: &[u8] = b"Kramatorsk-GPS-SECRET";

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    // ----- JPEG fixtures ---------------------------------------------------

    fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut seg = vec![0xFF, marker];
        seg.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        seg.extend_from_slice(payload);
        seg
    }

    /// EXIF block (little-endian TIFF) with an ImageDescription and a GPS IFD
    /// holding a latitude ref and a processing-method string.
    fn exif_payload() -> Vec<u8> {
        let entry = |tag: u16, typ: u16, count: u32, value: u32| {
            let mut e = Vec::new();
            e.extend_from_slice(&tag.to_le_bytes());
            e.extend_from_slice(&typ.to_le_bytes());
            e.extend_from_slice(&count.to_le_bytes());
            e.extend_from_slice(&value.to_le_bytes());
            e
        };
        let desc: Vec<u8> = [SECRET, b"\0"].concat();
        let method: Vec<u8> = [&b"ASCII\0\0\0"[..], SECRET].concat();
        let (ifd0, gps, strings) = (8u32, 38u32, 68u32);
        let mut tiff = b"II*\0".to_vec();
        tiff.extend_from_slice(&ifd0.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend(entry(0x010E, 2, desc.len() as u32, strings));
        tiff.extend(entry(0x8825, 4, 1, gps));
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
        tiff.extend(entry(
            0x001B,
            7,
            method.len() as u32,
            strings + desc.len() as u32,
        ));
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), strings as usize);
        tiff.extend(desc);
        tiff.extend(method);
        [&b"Exif\0\0"[..], &tiff].concat()
    }

    /// Tables, frame and scan of a valid 1x1 grey baseline JPEG: one-code
    /// Huffman tables, a single block coded as "DC diff 0, EOB" = bits 00.
    fn jpeg_core() -> Vec<u8> {
        let mut out = Vec::new();
        let mut dqt = vec![0x00];
        dqt.extend_from_slice(&[1u8; 64]);
        out.extend(jpeg_segment(0xDB, &dqt));
        out.extend(jpeg_segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        let mut dht_dc = vec![0x00, 1];
        dht_dc.extend_from_slice(&[0; 15]);
        dht_dc.push(0x00);
        out.extend(jpeg_segment(0xC4, &dht_dc));
        let mut dht_ac = vec![0x10, 1];
        dht_ac.extend_from_slice(&[0; 15]);
        dht_ac.push(0x00);
        out.extend(jpeg_segment(0xC4, &dht_ac));
        out.extend(jpeg_segment(0xDA, &[1, 1, 0x00, 0, 63, 0]));
        out.push(0x3F);
        out
    }

    fn jfif_with_thumbnail() -> Vec<u8> {
        // JFIF 1.01, no units, 1x1 density, a 1x1 RGB thumbnail.
        let mut p = b"JFIF\0\x01\x01\x00\x00\x01\x00\x01".to_vec();
        p.extend_from_slice(&[1, 1, 0xAA, 0xBB, 0xCC]);
        jpeg_segment(0xE0, &p)
    }

    fn jpeg_with_metadata() -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend(jfif_with_thumbnail());
        out.extend(jpeg_segment(0xE1, &exif_payload()));
        let xmp = [
            &b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>"[..],
            SECRET,
            b"</x:xmpmeta>",
        ]
        .concat();
        out.extend(jpeg_segment(0xE1, &xmp));
        out.extend(jpeg_segment(
            0xED,
            &[&b"Photoshop 3.0\08BIM"[..], SECRET].concat(),
        ));
        out.extend(jpeg_segment(0xE2, &[&b"MPF\0"[..], SECRET].concat()));
        out.extend(jpeg_segment(0xE2, b"ICC_PROFILE\0\x01\x01fake-profile"));
        out.extend(jpeg_segment(0xFE, &[&b"comment: "[..], SECRET].concat()));
        out.extend(jpeg_core());
        out.extend_from_slice(&[0xFF, 0xD9]);
        // An appended second image / motion-photo trailer.
        out.extend_from_slice(&[0xFF, 0xD8]);
        out.extend(jpeg_segment(0xE1, &exif_payload()));
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
        let mut markers = Vec::new();
        let mut pos = 2;
        while let Some((marker, after)) = next_jpeg_marker(jpeg, pos) {
            markers.push(marker);
            pos = after;
            if marker == 0xD9 {
                break;
            }
            let len = usize::from(u16::from_be_bytes([jpeg[pos], jpeg[pos + 1]]));
            pos += len;
            if marker == 0xDA {
                pos = entropy_data_end(jpeg, pos);
            }
        }
        markers
    }

    // ----- PNG fixtures ----------------------------------------------------

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&crc32(&[&kind[..], data].concat()).to_be_bytes());
        c
    }

    fn png_with_metadata() -> Vec<u8> {
        let mut out = PNG_SIGNATURE.to_vec();
        out.extend(png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        out.extend(png_chunk(b"tEXt", b"Author\0Ivan Secret"));
        out.extend(png_chunk(b"gAMA", &45455u32.to_be_bytes()));
        out.extend(png_chunk(b"tIME", &[0x07, 0xE8, 1, 2, 3, 4, 5]));
        out.extend(png_chunk(
            b"iTXt",
            &[&b"Location\0\0\0\0\0"[..], SECRET].concat(),
        ));
        out.extend(png_chunk(b"eXIf", &exif_payload()[6..]));
        // zlib stored block with the two bytes of the single scanline.
        out.extend(png_chunk(
            b"IDAT",
            &[
                0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, 0, 0, 0x00, 0x02, 0x00, 0x01,
            ],
        ));
        out.extend(png_chunk(b"zTXt", &[&b"Comment\0\0"[..], SECRET].concat()));
        out.extend(png_chunk(b"prVt", SECRET));
        out.extend(png_chunk(b"IEND", &[]));
        out.extend_from_slice(SECRET);
        out
    }

    fn png_chunks(png: &[u8]) -> Vec<([u8; 4], bool)> {
        let mut chunks = Vec::new();
        let mut pos = 8;
        while pos < png.len() {
            let len = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
            let kind: [u8; 4] = png[pos + 4..pos + 8].try_into().unwrap();
            let body = &png[pos + 4..pos + 8 + len];
            let crc = u32::from_be_bytes(png[pos + 8 + len..pos + 12 + len].try_into().unwrap());
            chunks.push((kind, crc32(body) == crc));
            pos += 12 + len;
        }
        chunks
    }

    // ----- WebP / GIF fixtures --------------------------------------------

    fn riff_chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn webp_with_metadata() -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        // VP8X: ICC? no; alpha? no; EXIF and XMP flags set; 1x1 canvas.
        body.extend(riff_chunk(
            b"VP8X",
            &[VP8X_EXIF_FLAG | VP8X_XMP_FLAG, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        body.extend(riff_chunk(
            b"VP8L",
            &[0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11],
        ));
        body.extend(riff_chunk(b"EXIF", &exif_payload()));
        body.extend(riff_chunk(b"XMP ", &[&b"<x:xmpmeta>"[..], SECRET].concat()));
        body.extend(riff_chunk(b"prvt", SECRET));
        [&riff_chunk(b"RIFF", &body)[..], SECRET].concat()
    }

    const GIF_IMAGE: &[u8] = &[
        0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, // descriptor, 1x1, no local table
        0x02, 0x02, 0x44, 0x01, 0x00, // LZW min code 2, one sub-block, terminator
    ];
    const GIF_GCE: &[u8] = &[0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00];

    fn gif_head() -> Vec<u8> {
        let mut out = b"GIF89a".to_vec();
        out.extend_from_slice(&[1, 0, 1, 0, 0x80, 0, 0]);
        out.extend_from_slice(&[0, 0, 0, 0xFF, 0xFF, 0xFF]);
        out
    }

    fn gif_with_metadata() -> Vec<u8> {
        let mut out = gif_head();
        // NETSCAPE2.0 loop forever, plus an extra sub-block that must not survive.
        out.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x06\x02");
        out.extend_from_slice(&SECRET[..5]);
        out.push(0);
        out.extend_from_slice(&[0x21, 0xFE, SECRET.len() as u8]);
        out.extend_from_slice(SECRET);
        out.push(0);
        out.extend_from_slice(b"\x21\xFF\x0BXMP DataXMP");
        out.push(SECRET.len() as u8);
        out.extend_from_slice(SECRET);
        out.push(0);
        out.extend_from_slice(GIF_GCE);
        out.extend_from_slice(GIF_IMAGE);
        out.push(0x3B);
        out.extend_from_slice(SECRET);
        out
    }

    // ----- MP4 fixtures ----------------------------------------------------

    fn mp4_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }

    fn full_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        mp4_box(kind, &[&[0u8, 0, 0, 0][..], body].concat())
    }

    /// A header box (mvhd/tkhd/mdhd, version 0) with non-zero times.
    fn timed_header(kind: &[u8; 4], len: usize) -> Vec<u8> {
        let mut body = vec![0u8; len];
        body[..8].copy_from_slice(&[0xDE, 0xAD, 0xBE, 0xEF, 0xCA, 0xFE, 0xBA, 0xBE]);
        full_box(kind, &body)
    }

    fn hdlr(handler: &[u8; 4]) -> Vec<u8> {
        full_box(
            b"hdlr",
            &[&[0u8; 4][..], handler, &[0u8; 12], b"Handler\0"].concat(),
        )
    }

    const VIDEO_DATA: &[u8] = b"VIDEO-FRAME-DATA-0123456789";
    const GPS_SAMPLE_1: &[u8] = b"GPS5+48.7391";
    const GPS_SAMPLE_2: &[u8] = b"GPS5+37.5820";

    fn mp4_moov(gps_offset: u32) -> Vec<u8> {
        let video_trak = mp4_box(
            b"trak",
            &[
                timed_header(b"tkhd", 80),
                mp4_box(
                    b"mdia",
                    &[
                        timed_header(b"mdhd", 20),
                        hdlr(b"vide"),
                        mp4_box(b"minf", &[]),
                    ]
                    .concat(),
                ),
                mp4_box(b"udta", &[&b"\0\0\0\x10name"[..], b"Ivan"].concat()),
            ]
            .concat(),
        );
        let stsz = full_box(
            b"stsz",
            &[
                0u32,
                2,
                GPS_SAMPLE_1.len() as u32,
                GPS_SAMPLE_2.len() as u32,
            ]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect::<Vec<_>>(),
        );
        let stsc = full_box(
            b"stsc",
            &[1u32, 1, 2, 1]
                .iter()
                .flat_map(|v| v.to_be_bytes())
                .collect::<Vec<_>>(),
        );
        let stco = full_box(
            b"stco",
            &[1u32, gps_offset]
                .iter()
                .flat_map(|v| v.to_be_bytes())
                .collect::<Vec<_>>(),
        );
        let stbl = mp4_box(
            b"stbl",
            &[full_box(b"stsd", &[0, 0, 0, 0]), stsz, stsc, stco].concat(),
        );
        let gps_trak = mp4_box(
            b"trak",
            &[
                timed_header(b"tkhd", 80),
                mp4_box(
                    b"mdia",
                    &[
                        timed_header(b"mdhd", 20),
                        hdlr(b"meta"),
                        mp4_box(b"minf", &stbl),
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        let xyz = mp4_box(
            b"\xA9xyz",
            &[&[0u8, 12, 0x15, 0xC7][..], b"+48.7+037.5/"].concat(),
        );
        let udta = mp4_box(b"udta", &xyz);
        let meta = mp4_box(
            b"meta",
            &[
                hdlr(b"mdta"),
                full_box(
                    b"keys",
                    &[
                        &[0u8, 0, 0, 1, 0, 0, 0, 44][..],
                        b"mdta",
                        b"com.apple.quicktime.location.ISO6709",
                    ]
                    .concat(),
                ),
                mp4_box(
                    b"ilst",
                    &[
                        &b"\0\0\0\x20\0\0\0\x01\0\0\0\x18data\0\0\0\x01\0\0\0\0"[..],
                        b"+48.7+037.5/",
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        mp4_box(
            b"moov",
            &[timed_header(b"mvhd", 96), video_trak, gps_trak, udta, meta].concat(),
        )
    }

    fn mp4_with_metadata(brand: &[u8; 4]) -> Vec<u8> {
        let ftyp = mp4_box(
            b"ftyp",
            &[&brand[..], &[0, 0, 2, 0], b"isomiso2mp41"].concat(),
        );
        let uuid = mp4_box(
            b"uuid",
            &[
                &b"\xBE\x7A\xCF\xCB\x97\xA9\x42\xE8\x9C\x71\x99\x94\x91\xE3\xAF\xAC"[..],
                b"<x:xmpmeta>Ivan Secret</x:xmpmeta>",
            ]
            .concat(),
        );
        let free = mp4_box(b"free", b"old <author>Ivan Secret</author>");
        let mdat_payload = [VIDEO_DATA, GPS_SAMPLE_1, GPS_SAMPLE_2].concat();
        let prefix = ftyp.len() + mp4_moov(0).len() + uuid.len() + free.len() + 8;
        let moov = mp4_moov((prefix + VIDEO_DATA.len()) as u32);
        [ftyp, moov, uuid, free, mp4_box(b"mdat", &mdat_payload)].concat()
    }

    fn top_level_boxes(data: &[u8]) -> Vec<[u8; 4]> {
        let mut kinds = Vec::new();
        let mut pos = 0;
        while pos < data.len() {
            let bx = read_box(data, pos, data.len()).unwrap();
            kinds.push(bx.kind);
            pos = bx.end;
        }
        kinds
    }

    // ----- WebM fixtures ---------------------------------------------------

    /// Element with an explicit size; `size_len` 0 picks the shortest size.
    fn ebml(id: u32, payload: &[u8]) -> Vec<u8> {
        let id_bytes = id.to_be_bytes();
        let skip = id_bytes.iter().position(|&b| b != 0).unwrap();
        let mut e = id_bytes[skip..].to_vec();
        if payload.len() < 0x7F {
            e.push(0x80 | payload.len() as u8);
        } else {
            e.push(0x01);
            e.extend_from_slice(&(payload.len() as u64).to_be_bytes()[1..]);
        }
        e.extend_from_slice(payload);
        e
    }

    fn ebml_unknown(id: u32, payload: &[u8]) -> Vec<u8> {
        let id_bytes = id.to_be_bytes();
        let skip = id_bytes.iter().position(|&b| b != 0).unwrap();
        [
            &id_bytes[skip..],
            &[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            payload,
        ]
        .concat()
    }

    fn ebml_header(doctype: &[u8]) -> Vec<u8> {
        ebml(
            ebml_id::EBML,
            &[
                ebml(0x4286, &[1]),
                ebml(0x42F7, &[1]),
                ebml(0x42F2, &[4]),
                ebml(0x42F3, &[8]),
                ebml(ebml_id::DOC_TYPE, doctype),
                ebml(0x4287, &[4]),
                ebml(0x4285, &[2]),
            ]
            .concat(),
        )
    }

    const WEBM_FRAME: &[u8] = b"\x81\x00\x00\x80WEBM-FRAME-DATA";

    fn webm_info() -> Vec<u8> {
        let children = [
            ebml(0x2AD7B1, &[0x0F, 0x42, 0x40]),
            ebml(ebml_id::TITLE, SECRET),
            ebml(ebml_id::MUXING_APP, b"Lavf60.3.100"),
            ebml(ebml_id::WRITING_APP, b"SecretPhone Recorder 1.2"),
            ebml(
                ebml_id::DATE_UTC,
                &[0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11],
            ),
        ]
        .concat();
        let crc = ebml(ebml_id::CRC32, &crc32(&children).to_le_bytes());
        ebml(ebml_id::INFO, &[crc, children].concat())
    }

    fn webm_tags(padding: usize) -> Vec<u8> {
        let simple = ebml(
            0x67C8,
            &[
                ebml(0x45A3, b"LOCATION"),
                ebml(0x4487, SECRET),
                ebml(0x4487, &vec![b'x'; padding]),
            ]
            .concat(),
        );
        ebml(ebml_id::TAGS, &ebml(0x7373, &simple))
    }

    fn webm_tracks() -> Vec<u8> {
        ebml(
            0x1654AE6B,
            &ebml(0xAE, &[ebml(0xD7, &[1]), ebml(0x86, b"V_VP8")].concat()),
        )
    }

    fn webm_with_metadata(tags_padding: usize) -> Vec<u8> {
        let cluster = ebml(
            ebml_id::CLUSTER,
            &[ebml(0xE7, &[0]), ebml(0xA3, WEBM_FRAME)].concat(),
        );
        let segment = [webm_info(), webm_tracks(), cluster, webm_tags(tags_padding)].concat();
        [ebml_header(b"webm"), ebml(ebml_id::SEGMENT, &segment)].concat()
    }

    /// Like a browser MediaRecorder file: unknown-size Segment and Cluster.
    fn webm_live_with_tags() -> Vec<u8> {
        let cluster = ebml_unknown(
            ebml_id::CLUSTER,
            &[ebml(0xE7, &[0]), ebml(0xA3, WEBM_FRAME)].concat(),
        );
        let segment = [webm_info(), webm_tracks(), cluster, webm_tags(0)].concat();
        [
            ebml_header(b"webm"),
            ebml_unknown(ebml_id::SEGMENT, &segment),
        ]
        .concat()
    }

    // ----- PDF fixtures ----------------------------------------------------

    fn pdf_with_metadata(object_streams: bool) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let content_id = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 712 Td (Visible report text) Tj ET".to_vec(),
        ));
        let mut photo = vec![0xFF, 0xD8];
        photo.extend(jpeg_segment(0xE1, &exif_payload()));
        photo.extend(jpeg_core());
        photo.extend_from_slice(&[0xFF, 0xD9]);
        let image_id = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            photo,
        ));
        let page_xmp = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>Ivan Secret (page)</dc:creator></x:xmpmeta>".to_vec(),
        ));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Metadata" => page_xmp,
            "PieceInfo" => dictionary! { "Illustrator" => dictionary! { "Private" => Object::string_literal("Ivan Secret") } },
            "Resources" => dictionary! {
                "Font" => dictionary! { "F1" => font_id },
                "XObject" => dictionary! { "Im1" => image_id },
            },
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let xmp = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>Ivan Secret</dc:creator></x:xmpmeta>".to_vec(),
        ));
        let catalog_id = doc.add_object(
            dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Metadata" => xmp },
        );
        let info_id = doc.add_object(dictionary! {
            "Author" => Object::string_literal("Ivan Secret"),
            "Producer" => Object::string_literal("SecretPhone PDF"),
        });
        // An orphan left over from an earlier revision.
        doc.add_object(Object::string_literal("Ivan Secret (orphan)"));
        doc.trailer.set("Root", catalog_id);
        doc.trailer.set("Info", info_id);
        doc.trailer.set(
            "ID",
            vec![
                Object::string_literal(b"0123456789abcdef".to_vec()),
                Object::string_literal(b"0123456789abcdef".to_vec()),
            ],
        );
        let mut out = Vec::new();
        if object_streams {
            doc.save_modern(&mut out).unwrap();
        } else {
            doc.save_to(&mut out).unwrap();
        }
        out
    }

    fn all_fixtures() -> Vec<(AttachmentKind, Vec<u8>)> {
        vec![
            (AttachmentKind::Jpeg, jpeg_with_metadata()),
            (AttachmentKind::Png, png_with_metadata()),
            (AttachmentKind::Webp, webp_with_metadata()),
            (AttachmentKind::Gif, gif_with_metadata()),
            (AttachmentKind::Pdf, pdf_with_metadata(false)),
            (AttachmentKind::Pdf, pdf_with_metadata(true)),
            (AttachmentKind::Mp4, mp4_with_metadata(b"isom")),
            (AttachmentKind::QuickTime, mp4_with_metadata(b"qt  ")),
            (AttachmentKind::Webm, webm_with_metadata(0)),
            (AttachmentKind::Webm, webm_live_with_tags()),
        ]
    }

    // ----- AttachmentKind / AttachmentError --------------------------------

    #[test]
    fn codes_round_trip_and_are_stable() {
        let codes: Vec<&str> = AttachmentKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            codes,
            [
                "jpeg",
                "png",
                "webp",
                "gif",
                "pdf",
                "mp4",
                "quicktime",
                "webm"
            ]
        );
        for kind in AttachmentKind::ALL {
            assert_eq!(AttachmentKind::from_code(kind.as_str()), Some(kind));
        }
        assert_eq!(AttachmentKind::from_code("JPEG"), None);
        assert_eq!(AttachmentKind::from_code("svg"), None);
        assert_eq!(AttachmentKind::from_code(""), None);
    }

    #[test]
    fn mime_extension_and_category() {
        use AttachmentKind::*;
        let table = [
            (Jpeg, "image/jpeg", "jpg", true, false),
            (Png, "image/png", "png", true, false),
            (Webp, "image/webp", "webp", true, false),
            (Gif, "image/gif", "gif", true, false),
            (Pdf, "application/pdf", "pdf", false, false),
            (Mp4, "video/mp4", "mp4", false, true),
            (QuickTime, "video/quicktime", "mov", false, true),
            (Webm, "video/webm", "webm", false, true),
        ];
        for (kind, mime, ext, image, video) in table {
            assert_eq!(kind.mime(), mime);
            assert_eq!(kind.extension(), ext);
            assert_eq!(kind.is_image(), image, "{kind:?}");
            assert_eq!(kind.is_video(), video, "{kind:?}");
        }
        assert_eq!(Pdf.max_bytes(), MAX_PDF_BYTES);
        assert_eq!(Gif.max_bytes(), MAX_IMAGE_BYTES);
        assert_eq!(Webm.max_bytes(), MAX_VIDEO_BYTES);
    }

    #[test]
    fn error_message_keys() {
        assert_eq!(AttachmentError::Empty.message_key(), "attachment-empty");
        assert_eq!(
            AttachmentError::UnsupportedType.message_key(),
            "attachment-unsupported"
        );
        assert_eq!(
            AttachmentError::TooLarge { limit: 1 }.message_key(),
            "attachment-too-large"
        );
        assert_eq!(
            AttachmentError::Malformed.message_key(),
            "attachment-malformed"
        );
        assert_eq!(
            AttachmentError::TooLarge { limit: 1 }.to_string(),
            "file too large"
        );
    }

    // ----- sniff -------------------------------------------------------------

    #[test]
    fn sniff_recognises_every_fixture() {
        for (kind, bytes) in all_fixtures() {
            assert_eq!(sniff(&bytes), Ok(kind), "{kind:?}");
        }
    }

    #[test]
    fn sniff_rejects_text_named_jpg() {
        // The name would say ".jpg"; only the content counts.
        let text = b"This is definitely a photo.jpg, trust me\n";
        assert_eq!(sniff(text), Err(AttachmentError::UnsupportedType));
    }

    #[test]
    fn sniff_rejects_executables_and_active_content() {
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
        exe.resize(256, 0);
        assert_eq!(sniff(&exe), Err(AttachmentError::UnsupportedType));
        let elf = b"\x7FELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00";
        assert_eq!(sniff(elf), Err(AttachmentError::UnsupportedType));
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        assert_eq!(sniff(html), Err(AttachmentError::UnsupportedType));
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(sniff(svg), Err(AttachmentError::UnsupportedType));
        let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00";
        assert_eq!(sniff(zip), Err(AttachmentError::UnsupportedType));
    }

    #[test]
    fn sniff_rejects_empty() {
        assert_eq!(sniff(b""), Err(AttachmentError::Empty));
        assert_eq!(
            strip_metadata(AttachmentKind::Jpeg, b""),
            Err(AttachmentError::Empty)
        );
    }

    #[test]
    fn sniff_rejects_too_large_by_kind() {
        let mut big = jpeg_with_metadata();
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert_eq!(
            sniff(&big),
            Err(AttachmentError::TooLarge {
                limit: MAX_IMAGE_BYTES
            })
        );
        assert_eq!(
            strip_metadata(AttachmentKind::Jpeg, &big),
            Err(AttachmentError::TooLarge {
                limit: MAX_IMAGE_BYTES
            })
        );
        // The same size is fine for a video...
        let mut video = mp4_with_metadata(b"isom");
        video.resize(MAX_IMAGE_BYTES + 1, 0);
        assert_eq!(sniff(&video), Ok(AttachmentKind::Mp4));
        // ...until the video limit.
        video.resize(MAX_VIDEO_BYTES + 1, 0);
        assert_eq!(
            sniff(&video),
            Err(AttachmentError::TooLarge {
                limit: MAX_VIDEO_BYTES
            })
        );
    }

    #[test]
    fn sniff_confirms_loose_signatures() {
        // infer's WebP check only looks at bytes 8..12.
        assert_eq!(
            sniff(b"XXXXxxxxWEBPVP8 \0\0\0\0"),
            Err(AttachmentError::UnsupportedType)
        );
        // "GIF" alone is not a GIF header.
        assert_eq!(
            sniff(b"GIF is a format"),
            Err(AttachmentError::UnsupportedType)
        );
        // Any EBML file matches infer's WebM check; Matroska is not WebM.
        let mkv = [ebml_header(b"matroska"), ebml(ebml_id::SEGMENT, &[])].concat();
        assert_eq!(sniff(&mkv), Err(AttachmentError::UnsupportedType));
        let other_ebml = [ebml_header(b"something"), ebml(ebml_id::SEGMENT, &[])].concat();
        assert_eq!(sniff(&other_ebml), Err(AttachmentError::UnsupportedType));
        // A HEIF image is an ISO BMFF file too, but not on the allow-list.
        let heic = mp4_box(b"ftyp", b"heic\0\0\0\0mif1heic");
        assert_eq!(sniff(&heic), Err(AttachmentError::UnsupportedType));
    }

    // ----- JPEG --------------------------------------------------------------

    #[test]
    fn jpeg_exif_xmp_iptc_comments_and_trailers_are_removed() {
        let input = jpeg_with_metadata();
        assert!(contains(&input, SECRET) && contains(&input, b"Exif"));
        let out = strip_metadata(AttachmentKind::Jpeg, &input).unwrap();

        assert!(out.starts_with(&[0xFF, 0xD8]));
        assert!(out.ends_with(&[0xFF, 0xD9]));
        assert!(!contains(&out, b"Exif"));
        assert!(!contains(&out, SECRET));
        assert!(!contains(&out, b"http://ns.adobe.com/xap"));
        assert!(!contains(&out, b"Photoshop"));
        assert!(!contains(&out, b"MPF\0"));
        // Scan header and entropy-coded data are intact, as are the tables.
        assert!(contains(&out, &jpeg_core()));
        assert_eq!(
            jpeg_markers(&out),
            [0xE0, 0xE2, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA, 0xD9]
        );
        // JFIF kept, but its thumbnail is gone.
        assert!(contains(
            &out,
            b"\xFF\xE0\x00\x10JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        ));
        assert!(!contains(&out, &[0xAA, 0xBB, 0xCC]));
        // Stripping is idempotent.
        assert_eq!(strip_metadata(AttachmentKind::Jpeg, &out).unwrap(), out);
    }

    /// EXIF with an orientation beside a secret description, in either byte order.
    fn exif_with_orientation(big_endian: bool, typ: u16, orientation: u16) -> Vec<u8> {
        type Bytes<T, const N: usize> = fn(T) -> [u8; N];
        let (u16b, u32b): (Bytes<u16, 2>, Bytes<u32, 4>) = if big_endian {
            (u16::to_be_bytes, u32::to_be_bytes)
        } else {
            (u16::to_le_bytes, u32::to_le_bytes)
        };
        let mut tiff = if big_endian { b"MM\0*" } else { b"II*\0" }.to_vec();
        tiff.extend_from_slice(&u32b(8));
        tiff.extend_from_slice(&u16b(2));
        let strings = 8 + 2 + 2 * 12 + 4;
        tiff.extend(
            u16b(0x010E)
                .iter()
                .chain(&u16b(2))
                .chain(&u32b(SECRET.len() as u32)),
        );
        tiff.extend_from_slice(&u32b(strings));
        tiff.extend(u16b(0x0112).iter().chain(&u16b(typ)).chain(&u32b(1)));
        tiff.extend(u16b(orientation).iter().chain(&[0, 0]));
        tiff.extend_from_slice(&u32b(0));
        assert_eq!(tiff.len(), strings as usize);
        tiff.extend_from_slice(SECRET);
        [&b"Exif\0\0"[..], &tiff].concat()
    }

    #[test]
    fn jpeg_orientation_alone_survives() {
        for big_endian in [false, true] {
            let mut input = vec![0xFF, 0xD8];
            input.extend(jfif_with_thumbnail());
            input.extend(jpeg_segment(0xE1, &exif_with_orientation(big_endian, 3, 6)));
            input.extend(jpeg_segment(0xE1, &exif_payload()));
            input.extend(jpeg_core());
            input.extend_from_slice(&[0xFF, 0xD9]);
            let out = strip_metadata(AttachmentKind::Jpeg, &input).unwrap();
            assert!(!contains(&out, SECRET));
            assert_eq!(
                jpeg_markers(&out),
                [0xE0, 0xE1, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA, 0xD9]
            );
            assert!(contains(&out, &jpeg_segment(0xE1, &orientation_exif(6))));
            assert_eq!(exif_orientation(&orientation_exif(6)), Some(6));
            assert_eq!(strip_metadata(AttachmentKind::Jpeg, &out).unwrap(), out);
        }
        // "As stored", out of range, or not a SHORT: no EXIF at all.
        for (typ, orientation) in [(3, 1), (3, 9), (3, 0), (4, 6)] {
            let mut input = vec![0xFF, 0xD8];
            input.extend(jpeg_segment(
                0xE1,
                &exif_with_orientation(false, typ, orientation),
            ));
            input.extend(jpeg_core());
            let out = strip_metadata(AttachmentKind::Jpeg, &input).unwrap();
            assert!(!contains(&out, b"Exif"), "{typ} {orientation}");
        }
        // Truncated or pointing outside itself: nothing read, nothing kept.
        let whole = exif_with_orientation(false, 3, 6);
        // "Exif\0\0", the TIFF header, the count, the first entry, the value's offset and itself.
        let value_end = 6 + 8 + 2 + 12 + 8 + 2;
        assert_eq!(exif_orientation(&whole[..value_end]), Some(6));
        for cut in 0..value_end {
            assert_eq!(exif_orientation(&whole[..cut]), None, "{cut}");
        }
        let mut far = whole.clone();
        far[10..14].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(exif_orientation(&far), None);
    }

    #[test]
    fn jpeg_progressive_segments_between_scans_are_filtered() {
        let mut input = vec![0xFF, 0xD8];
        input.extend(jpeg_segment(0xDB, &[0; 65]));
        input.extend(jpeg_segment(0xC2, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        input.extend(jpeg_segment(0xDA, &[1, 1, 0x00, 0, 0, 0]));
        // Entropy data with byte stuffing and a restart marker.
        let scan1 = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56];
        input.extend_from_slice(&scan1);
        input.extend_from_slice(&[0xFF, 0xFF]); // fill bytes before the next marker
        input.extend(jpeg_segment(0xFE, SECRET));
        input.extend(jpeg_segment(0xE1, &exif_payload()));
        input.extend(jpeg_segment(
            0xC4,
            &[0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00],
        ));
        input.extend(jpeg_segment(0xDA, &[1, 1, 0x00, 1, 63, 0]));
        let scan2 = [0x78, 0x9A, 0xFF, 0x00];
        input.extend_from_slice(&scan2);
        input.extend_from_slice(&[0xFF, 0xD9]);

        let out = strip_metadata(AttachmentKind::Jpeg, &input).unwrap();
        assert!(!contains(&out, SECRET));
        assert!(!contains(&out, b"Exif"));
        assert!(contains(&out, &scan1));
        assert!(contains(&out, &scan2));
        assert_eq!(jpeg_markers(&out), [0xDB, 0xC2, 0xDA, 0xC4, 0xDA, 0xD9]);
    }

    #[test]
    fn jpeg_truncated_after_scan_is_closed() {
        let mut input = vec![0xFF, 0xD8];
        input.extend(jpeg_core());
        let out = strip_metadata(AttachmentKind::Jpeg, &input).unwrap();
        assert_eq!(out, [&input[..], &[0xFF, 0xD9]].concat());
    }

    #[test]
    fn jpeg_malformed_inputs() {
        let strip = |b: &[u8]| strip_metadata(AttachmentKind::Jpeg, b);
        // No image data at all.
        assert_eq!(
            strip(&[0xFF, 0xD8, 0xFF, 0xD9]),
            Err(AttachmentError::Malformed)
        );
        // Segment length running past the end.
        assert_eq!(
            strip(&[0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, b'E']),
            Err(AttachmentError::Malformed)
        );
        // Segment length below 2.
        assert_eq!(
            strip(&[0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x01]),
            Err(AttachmentError::Malformed)
        );
        // Scan without a frame header.
        let mut no_frame = vec![0xFF, 0xD8];
        no_frame.extend(jpeg_segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        no_frame.extend_from_slice(&[0x00, 0xFF, 0xD9]);
        assert_eq!(strip(&no_frame), Err(AttachmentError::Malformed));
        // Not a JPEG.
        assert_eq!(strip(b"GIF89a"), Err(AttachmentError::Malformed));
    }

    // ----- PNG ---------------------------------------------------------------

    #[test]
    fn png_text_exif_and_time_chunks_are_removed() {
        let input = png_with_metadata();
        let out = strip_metadata(AttachmentKind::Png, &input).unwrap();
        assert!(out.starts_with(PNG_SIGNATURE));
        let chunks = png_chunks(&out);
        let kinds: Vec<[u8; 4]> = chunks.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [*b"IHDR", *b"gAMA", *b"IDAT", *b"IEND"]);
        assert!(chunks.iter().all(|(_, crc_ok)| *crc_ok), "all CRCs valid");
        assert!(!contains(&out, b"Ivan Secret"));
        assert!(!contains(&out, b"Author"));
        assert!(!contains(&out, SECRET));
        // img-parts (which checks CRCs) can read it back.
        assert!(Png::from_bytes(Bytes::from(out.clone())).is_ok());
    }

    #[test]
    fn png_malformed_inputs() {
        let input = png_with_metadata();
        // Bad CRC.
        let mut bad_crc = input.clone();
        let idat = find(&bad_crc, b"IDAT").unwrap();
        bad_crc[idat + 5] ^= 0xFF;
        assert_eq!(
            strip_metadata(AttachmentKind::Png, &bad_crc),
            Err(AttachmentError::Malformed)
        );
        // Truncated before IEND.
        let iend = find(&input, b"IEND").unwrap() - 4;
        assert_eq!(
            strip_metadata(AttachmentKind::Png, &input[..iend]),
            Err(AttachmentError::Malformed)
        );
        // Unknown critical chunk.
        let mut cgbi = PNG_SIGNATURE.to_vec();
        cgbi.extend(png_chunk(b"CgBI", &[0x50, 0, 0x20, 2]));
        cgbi.extend_from_slice(&input[8..]);
        assert_eq!(
            strip_metadata(AttachmentKind::Png, &cgbi),
            Err(AttachmentError::Malformed)
        );
    }

    // ----- WebP --------------------------------------------------------------

    #[test]
    fn webp_exif_and_xmp_chunks_and_flags_are_removed() {
        let input = webp_with_metadata();
        let out = strip_metadata(AttachmentKind::Webp, &input).unwrap();
        assert!(!contains(&out, SECRET));
        assert!(!contains(&out, b"EXIF"));
        assert!(!contains(&out, b"XMP "));
        assert_eq!(&out[..4], b"RIFF");
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
        assert_eq!(&out[8..16], b"WEBPVP8X");
        assert_eq!(out[20] & (VP8X_EXIF_FLAG | VP8X_XMP_FLAG), 0);
        let vp8l = find(&input, b"VP8L").unwrap();
        assert!(
            contains(&out, &input[vp8l..vp8l + 18]),
            "image chunk with padding kept"
        );
        assert_eq!(sniff(&out), Ok(AttachmentKind::Webp));
    }

    #[test]
    fn webp_without_image_data_is_malformed() {
        let body = [&b"WEBP"[..], &riff_chunk(b"EXIF", b"Exif\0\0")].concat();
        let riff = riff_chunk(b"RIFF", &body);
        assert_eq!(
            strip_metadata(AttachmentKind::Webp, &riff),
            Err(AttachmentError::Malformed)
        );
    }

    // ----- GIF ---------------------------------------------------------------

    #[test]
    fn gif_comments_and_app_extensions_are_removed_loop_kept() {
        let out = strip_metadata(AttachmentKind::Gif, &gif_with_metadata()).unwrap();
        let mut expected = gif_head();
        expected.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00");
        expected.extend_from_slice(GIF_GCE);
        expected.extend_from_slice(GIF_IMAGE);
        expected.push(0x3B);
        assert_eq!(out, expected);
    }

    #[test]
    fn gif_malformed_inputs() {
        let strip = |b: &[u8]| strip_metadata(AttachmentKind::Gif, b);
        // Unknown block introducer.
        let mut bad = gif_head();
        bad.push(0x42);
        assert_eq!(strip(&bad), Err(AttachmentError::Malformed));
        // Sub-block running past the end.
        let mut cut = gif_head();
        cut.extend_from_slice(&GIF_IMAGE[..12]);
        assert_eq!(strip(&cut), Err(AttachmentError::Malformed));
        // No image at all.
        let mut empty = gif_head();
        empty.push(0x3B);
        assert_eq!(strip(&empty), Err(AttachmentError::Malformed));
        // Missing trailer at a block boundary is repaired, not refused.
        let mut no_trailer = gif_head();
        no_trailer.extend_from_slice(GIF_IMAGE);
        assert_eq!(strip(&no_trailer), Ok([&no_trailer[..], &[0x3B]].concat()));
    }

    // ----- PDF ---------------------------------------------------------------

    fn assert_pdf_clean(out: &[u8]) {
        assert!(!contains(out, b"Ivan Secret"), "author text must be gone");
        assert!(!contains(out, b"SecretPhone"));
        assert!(!contains(out, b"xmpmeta"));
        assert!(
            !contains(out, SECRET),
            "EXIF of the embedded photo must be gone"
        );
        let doc = Document::load_mem(out).expect("stripped PDF re-parses");
        assert!(doc.trailer.get(b"Info").is_err(), "no /Info in trailer");
        assert!(doc.trailer.get(b"ID").is_ok(), "/ID kept");
        let catalog = doc.catalog().unwrap();
        assert!(catalog.get(b"Metadata").is_err(), "no /Metadata in catalog");
        assert_eq!(doc.get_pages().len(), 1);
        let page = doc
            .get_dictionary(*doc.get_pages().values().next().unwrap())
            .unwrap();
        assert!(page.get(b"Metadata").is_err());
        assert!(page.get(b"PieceInfo").is_err());
        // Page content and the image survive.
        assert!(contains(out, b"(Visible report text) Tj"));
        assert!(contains(out, &jpeg_core()));
    }

    #[test]
    fn pdf_info_xmp_and_embedded_exif_are_removed() {
        let input = pdf_with_metadata(false);
        assert!(contains(&input, b"Ivan Secret"));
        let out = strip_metadata(AttachmentKind::Pdf, &input).unwrap();
        assert_pdf_clean(&out);
        assert_eq!(sniff(&out), Ok(AttachmentKind::Pdf));
    }

    #[test]
    fn pdf_with_object_streams_is_stripped_too() {
        // Info and XMP sit compressed inside object streams here, so the
        // secret is not visible in the input bytes; if stripping missed
        // them they would appear uncompressed in the output.
        let input = pdf_with_metadata(true);
        let out = strip_metadata(AttachmentKind::Pdf, &input).unwrap();
        assert_pdf_clean(&out);
    }

    #[test]
    fn pdf_encrypted_is_refused() {
        let input = pdf_with_metadata(false);
        let mut doc = Document::load_mem(&input).unwrap();
        let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password: "",
            key_length: 128,
            permissions: lopdf::Permissions::all(),
        })
        .unwrap();
        doc.encrypt(&state).unwrap();
        let mut encrypted = Vec::new();
        doc.save_to(&mut encrypted).unwrap();
        assert_eq!(
            strip_metadata(AttachmentKind::Pdf, &encrypted),
            Err(AttachmentError::Malformed)
        );
    }

    #[test]
    fn pdf_garbage_is_malformed() {
        let strip = |b: &[u8]| strip_metadata(AttachmentKind::Pdf, b);
        assert_eq!(
            strip(b"%PDF-1.7\nnot really a pdf"),
            Err(AttachmentError::Malformed)
        );
        let input = pdf_with_metadata(false);
        assert_eq!(
            strip(&input[..input.len() / 2]),
            Err(AttachmentError::Malformed)
        );
    }

    /// A hand-written PDF (classic xref) whose catalog points at `extra`.
    fn raw_pdf(extra: &[u8], trailer_extra: &str) -> Vec<u8> {
        let objects: [&[u8]; 3] = [
            b"<< /Type /Catalog /Pages 2 0 R /Extra 3 0 R >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
            extra,
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, obj) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(obj);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size 4 /Root 1 0 R {trailer_extra}>>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        out
    }

    fn nested(depth: usize, open: &str, inner: &str, close: &str) -> Vec<u8> {
        [open.repeat(depth), inner.to_string(), close.repeat(depth)]
            .concat()
            .into_bytes()
    }

    #[test]
    fn pdf_moderate_nesting_is_fine() {
        let input = raw_pdf(&nested(20, "[ 1 (a]) <</K ", "0", ">> ]"), "");
        let out = strip_metadata(AttachmentKind::Pdf, &input).unwrap();
        assert!(Document::load_mem(&out).is_ok());
    }

    #[test]
    fn pdf_deep_nesting_is_refused_before_parsing() {
        // lopdf would recurse once per level and overflow any stack; a
        // stack overflow aborts the process, so this must never reach it.
        for extra in [
            nested(1_000_000, "[", "", "]"),
            nested(200_000, "<</A ", "0", ">>"),
            // Closing brackets inside strings do not close anything.
            nested(10_000, "[ (]) % ]\n", "", "]"),
            // Nor do those in comments.
            nested(10_000, "[ %]]]]\n", "", "]"),
        ] {
            let input = raw_pdf(&extra, "");
            assert_eq!(
                strip_metadata(AttachmentKind::Pdf, &input),
                Err(AttachmentError::Malformed)
            );
        }
        // Just above the limit in an otherwise valid file.
        let input = raw_pdf(&nested(MAX_PDF_NESTING + 1, "[", "", "]"), "");
        assert_eq!(
            strip_metadata(AttachmentKind::Pdf, &input),
            Err(AttachmentError::Malformed)
        );
        let input = raw_pdf(&nested(MAX_PDF_NESTING, "[", "", "]"), "");
        assert!(strip_metadata(AttachmentKind::Pdf, &input).is_ok());
    }

    #[test]
    fn pdf_deep_nesting_inside_object_stream_is_refused() {
        let mut doc = Document::with_version("1.5");
        let pages_id =
            doc.add_object(dictionary! { "Type" => "Pages", "Kids" => vec![], "Count" => 0 });
        let mut deep = Object::Integer(0);
        for _ in 0..(MAX_PDF_NESTING + 10) {
            deep = Object::Array(vec![deep]);
        }
        let deep_id = doc.add_object(deep);
        let catalog_id = doc.add_object(
            dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Extra" => deep_id },
        );
        doc.trailer.set("Root", catalog_id);
        let mut input = Vec::new();
        doc.save_modern(&mut input).unwrap();
        // The nesting is only visible after decompression.
        assert!(!contains(&input, b"[[[["));
        assert_eq!(
            strip_metadata(AttachmentKind::Pdf, &input),
            Err(AttachmentError::Malformed)
        );
    }

    #[test]
    fn pdf_encrypt_key_is_refused_even_when_escaped() {
        for key in ["/Encrypt 3 0 R ", "/Encr#79pt 3 0 R "] {
            let input = raw_pdf(b"<< /Filter /Standard /V 1 /R 2 >>", key);
            assert_eq!(
                strip_metadata(AttachmentKind::Pdf, &input),
                Err(AttachmentError::Malformed),
                "{key}"
            );
        }
    }

    // ----- MP4 / QuickTime ---------------------------------------------------

    #[test]
    fn mp4_metadata_boxes_are_freed_in_place() {
        let input = mp4_with_metadata(b"isom");
        assert!(contains(&input, b"\xA9xyz") && contains(&input, b"+48.7+037.5"));
        let out = strip_metadata(AttachmentKind::Mp4, &input).unwrap();

        assert_eq!(out.len(), input.len(), "byte offsets must not move");
        assert!(!contains(&out, b"\xA9xyz"));
        assert!(!contains(&out, b"+48.7"));
        assert!(!contains(&out, b"+37.5"));
        assert!(!contains(&out, b"Ivan"));
        assert!(!contains(&out, b"com.apple.quicktime.location"));
        assert!(!contains(&out, b"udta"));
        assert!(!contains(&out, b"xmpmeta"));
        assert!(!contains(&out, b"Handler\0"), "handler names blanked");
        assert!(
            contains(&out, b"vide") && contains(&out, b"meta"),
            "handler types kept"
        );
        // udta and meta became free boxes of the same size, at the same place.
        let udta = find(&input, b"udta").unwrap();
        assert_eq!(&out[udta..udta + 4], b"free");
        assert_eq!(out[udta - 4..udta], input[udta - 4..udta]);
        // Top-level XMP uuid box is now free padding.
        assert_eq!(
            top_level_boxes(&out),
            [*b"ftyp", *b"moov", *b"free", *b"free", *b"mdat"]
        );
        // Video samples did not move and were not touched.
        let video = find(&input, VIDEO_DATA).unwrap();
        assert_eq!(&out[video..video + VIDEO_DATA.len()], VIDEO_DATA);
        // Creation/modification times are zeroed.
        let mvhd = find(&out, b"mvhd").unwrap();
        assert_eq!(&out[mvhd + 8..mvhd + 16], &[0; 8]);
        assert!(!contains(&out, &[0xDE, 0xAD, 0xBE, 0xEF]));
        // Still a valid box tree.
        assert_eq!(strip_metadata(AttachmentKind::Mp4, &out).unwrap(), out);
    }

    #[test]
    fn quicktime_is_stripped_like_mp4() {
        let input = mp4_with_metadata(b"qt  ");
        assert_eq!(sniff(&input), Ok(AttachmentKind::QuickTime));
        let out = strip_metadata(AttachmentKind::QuickTime, &input).unwrap();
        assert_eq!(out.len(), input.len());
        assert!(!contains(&out, b"\xA9xyz"));
        assert!(!contains(&out, b"+48.7"));
    }

    #[test]
    fn mp4_large_and_open_ended_boxes() {
        let ftyp = mp4_box(b"ftyp", b"isom\0\0\0\0isom");
        let moov = mp4_box(b"moov", &mp4_box(b"udta", b"Ivan Secret"));
        // mdat with a 64-bit size (size == 1).
        let mut mdat = vec![0, 0, 0, 1];
        mdat.extend_from_slice(b"mdat");
        mdat.extend_from_slice(&(16u64 + VIDEO_DATA.len() as u64).to_be_bytes());
        mdat.extend_from_slice(VIDEO_DATA);
        // Top-level meta box that runs to end of file (size == 0).
        let open = [&[0u8, 0, 0, 0][..], b"meta", b"Ivan Secret till EOF"].concat();
        let input = [ftyp, moov, mdat, open].concat();
        let out = strip_metadata(AttachmentKind::Mp4, &input).unwrap();
        assert_eq!(out.len(), input.len());
        assert!(!contains(&out, b"Ivan"));
        assert!(contains(&out, VIDEO_DATA));
        assert_eq!(
            top_level_boxes(&out),
            [*b"ftyp", *b"moov", *b"mdat", *b"free"]
        );
    }

    #[test]
    fn mp4_malformed_inputs() {
        let strip = |b: &[u8]| strip_metadata(AttachmentKind::Mp4, b);
        let ftyp = mp4_box(b"ftyp", b"isom\0\0\0\0isom");
        // Top-level box larger than the file.
        let mut overflow = ftyp.clone();
        overflow.extend_from_slice(&[0, 0, 0x10, 0, b'm', b'o', b'o', b'v', 0, 0]);
        assert_eq!(strip(&overflow), Err(AttachmentError::Malformed));
        // Child box overflowing its parent.
        let mut child = mp4_box(b"moov", &mp4_box(b"udta", b"Ivan"));
        child[11] += 1; // udta size now one past the end of moov
        assert_eq!(
            strip(&[ftyp.clone(), child, mp4_box(b"mdat", b"x")].concat()),
            Err(AttachmentError::Malformed)
        );
        // Size smaller than the header.
        let tiny = [ftyp.clone(), vec![0, 0, 0, 4, b'm', b'o', b'o', b'v']].concat();
        assert_eq!(strip(&tiny), Err(AttachmentError::Malformed));
        // Large size smaller than its 16-byte header.
        let large = [
            ftyp.clone(),
            vec![0, 0, 0, 1, b'm', b'o', b'o', b'v', 0, 0, 0, 0, 0, 0, 0, 8],
        ]
        .concat();
        assert_eq!(strip(&large), Err(AttachmentError::Malformed));
        // No movie box: nothing playable.
        assert_eq!(
            strip(&[ftyp, mp4_box(b"mdat", b"x")].concat()),
            Err(AttachmentError::Malformed)
        );
    }

    // ----- WebM --------------------------------------------------------------

    fn assert_webm_clean(input: &[u8], out: &[u8]) {
        assert_eq!(out.len(), input.len(), "byte offsets must not move");
        assert!(!contains(out, SECRET));
        assert!(!contains(out, b"LOCATION"));
        assert!(!contains(out, b"SecretPhone"));
        assert!(!contains(out, b"Lavf"));
        assert!(!contains(out, &ebml_id::TAGS.to_be_bytes()));
        assert!(contains(out, WEBM_FRAME), "frames untouched");
        // A Void element now spans exactly the old Tags element.
        let tags = find(input, &ebml_id::TAGS.to_be_bytes()).unwrap();
        let old = read_ebml_header(input, tags, input.len()).unwrap();
        let void = read_ebml_header(out, tags, out.len()).unwrap();
        assert_eq!(void.id, ebml_id::VOID);
        assert_eq!(ebml_end(&void, out.len()), ebml_end(&old, input.len()));
        // MuxingApp is still present (mandatory) but blank.
        let muxing = find(input, &[0x4D, 0x80]).unwrap();
        let h = read_ebml_header(out, muxing, out.len()).unwrap();
        assert_eq!(h.id, ebml_id::MUXING_APP);
        assert!(
            out[h.data..ebml_end(&h, out.len()).unwrap()]
                .iter()
                .all(|&b| b == b' ')
        );
        // The Info CRC-32 was recomputed.
        let info = find(out, &ebml_id::INFO.to_be_bytes()).unwrap();
        let info_h = read_ebml_header(out, info, out.len()).unwrap();
        let info_end = ebml_end(&info_h, out.len()).unwrap();
        let crc_h = read_ebml_header(out, info_h.data, info_end).unwrap();
        assert_eq!(crc_h.id, ebml_id::CRC32);
        let stored = u32::from_le_bytes(out[crc_h.data..crc_h.data + 4].try_into().unwrap());
        assert_eq!(stored, crc32(&out[crc_h.data + 4..info_end]));
    }

    #[test]
    fn webm_tags_and_info_strings_are_neutralised_in_place() {
        let input = webm_with_metadata(0);
        let out = strip_metadata(AttachmentKind::Webm, &input).unwrap();
        assert_webm_clean(&input, &out);
        assert_eq!(sniff(&out), Ok(AttachmentKind::Webm));
        assert_eq!(strip_metadata(AttachmentKind::Webm, &out).unwrap(), out);
    }

    #[test]
    fn webm_large_tags_get_a_long_void_size() {
        let input = webm_with_metadata(500);
        let out = strip_metadata(AttachmentKind::Webm, &input).unwrap();
        assert_webm_clean(&input, &out);
    }

    #[test]
    fn webm_unknown_size_segment_and_cluster() {
        let input = webm_live_with_tags();
        let out = strip_metadata(AttachmentKind::Webm, &input).unwrap();
        assert_webm_clean(&input, &out);
    }

    #[test]
    fn webm_unclear_structure() {
        // Truncated in the middle of a cluster, no Tags anywhere: served
        // (with the Info strings already blanked).
        let full = webm_with_metadata(0);
        let tags = find(&full, &ebml_id::TAGS.to_be_bytes()).unwrap();
        let truncated = &full[..tags - 3];
        let out = strip_metadata(AttachmentKind::Webm, truncated).unwrap();
        assert_eq!(out.len(), truncated.len());
        assert!(!contains(&out, SECRET));
        assert!(!contains(&out, b"SecretPhone"));

        // Tags with an unknown size cannot be replaced: refused.
        let cluster = ebml(
            ebml_id::CLUSTER,
            &[ebml(0xE7, &[0]), ebml(0xA3, WEBM_FRAME)].concat(),
        );
        let tags = ebml_unknown(ebml_id::TAGS, &ebml(0x7373, SECRET));
        let segment = [webm_info(), cluster, tags].concat();
        let input = [ebml_header(b"webm"), ebml(ebml_id::SEGMENT, &segment)].concat();
        assert_eq!(
            strip_metadata(AttachmentKind::Webm, &input),
            Err(AttachmentError::Malformed)
        );

        // Not an EBML file at all.
        assert_eq!(
            strip_metadata(AttachmentKind::Webm, b"\x1A\x45\xDF"),
            Err(AttachmentError::Malformed)
        );
    }

    // ----- never panic ---------------------------------------------------------

    fn magic(kind: AttachmentKind) -> Vec<u8> {
        match kind {
            AttachmentKind::Jpeg => vec![0xFF, 0xD8, 0xFF],
            AttachmentKind::Png => PNG_SIGNATURE.to_vec(),
            AttachmentKind::Webp => b"RIFF\x00\x01\x00\x00WEBPVP8X".to_vec(),
            AttachmentKind::Gif => b"GIF89a".to_vec(),
            AttachmentKind::Pdf => b"%PDF-1.7\n".to_vec(),
            AttachmentKind::Mp4 => b"\x00\x00\x00\x18ftypisom".to_vec(),
            AttachmentKind::QuickTime => b"\x00\x00\x00\x14ftypqt  ".to_vec(),
            AttachmentKind::Webm => ebml_header(b"webm"),
        }
    }

    fn exercise(bytes: &[u8]) {
        let _ = sniff(bytes);
        for kind in AttachmentKind::ALL {
            let in_place = matches!(
                kind,
                AttachmentKind::Mp4 | AttachmentKind::QuickTime | AttachmentKind::Webm
            );
            if let Ok(out) = strip_metadata(kind, bytes)
                && in_place
            {
                assert_eq!(out.len(), bytes.len(), "in-place formats keep their length");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            exercise(&bytes);
        }

        #[test]
        fn never_panics_after_a_magic_number(
            kind in proptest::sample::select(AttachmentKind::ALL.to_vec()),
            tail in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let bytes = [magic(kind), tail].concat();
            exercise(&bytes);
        }

        #[test]
        fn never_panics_on_damaged_fixtures(
            which in 0usize..10,
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in proptest::option::of(any::<prop::sample::Index>()),
        ) {
            let mut bytes = all_fixtures().swap_remove(which).1;
            for (index, value) in edits {
                let at = index.index(bytes.len());
                bytes[at] = value;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len()));
            }
            exercise(&bytes);
        }
    }
}
