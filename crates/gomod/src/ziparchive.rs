//! A zip central-directory reader with the semantics of Go's `archive/zip`
//! (`reader.go`): how the end record is found, how entries are listed
//! (duplicates and directories included), and when reading an entry fails
//! (declared sizes, CRC-32, data descriptors, compression methods).
//!
//! The `zip` crate is not used for reading because it keys entries by name
//! and so cannot see duplicate entries, which Go's `dirhash.HashZip` hashes
//! and `zip.CheckZip` rejects; its error behaviour also differs from Go's.
//!
//! A leaf module: both [`crate::dirhash`] (`HashZip`) and [`crate::modzip`] (`CheckZip`)
//! read archives through it, and it depends on neither.

use std::io::{self, BufReader, Read, Seek, SeekFrom};

use flate2::{Decompress, FlushDecompress, Status};

/// A structural error reading a zip archive, as Go's `archive/zip` reports it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// `zip: not a valid zip file` (bad signature, bad directory, bad sizes).
    #[error("zip: not a valid zip file")]
    Format,
    /// The end record's comment runs past the end of the file.
    #[error("zip: invalid comment length")]
    CommentLength,
    /// An entry uses a compression method other than Store (0) or Deflate (8).
    #[error("zip: unsupported compression algorithm {0}")]
    Algorithm(u16),
    /// CRC-32 of the content differs from the recorded one.
    #[error("zip: checksum error")]
    Checksum,
    /// The DEFLATE stream is corrupt.
    #[error("zip: corrupt deflate stream")]
    Corrupt,
    /// An entry inflates to more bytes than its declared size (Go reports
    /// `ErrFormat`; a zip bomb).
    #[error("zip: not a valid zip file (content exceeds the declared size)")]
    ExceedsDeclaredSize,
    /// Nothing left to read where a record was expected.
    #[error("EOF")]
    Eof,
    /// A record or an entry's data ends early, or has fewer bytes than declared.
    #[error("unexpected EOF")]
    UnexpectedEof,
    /// An offset computed from the archive is negative.
    #[error("zip: negative offset")]
    NegativeOffset,
    /// Reading the underlying reader failed.
    #[error("zip: {0}")]
    Io(#[from] io::Error),
}

/// Length of the end-of-central-directory record without its comment.
const END_LEN: usize = 22;
const END_SIG: u32 = 0x0605_4b50;
const DIR_HEADER_LEN: usize = 46;
const DIR_HEADER_SIG: u32 = 0x0201_4b50;
const FILE_HEADER_LEN: usize = 30;
const FILE_HEADER_SIG: u32 = 0x0403_4b50;
const DIR64_LOC_LEN: i64 = 20;
const DIR64_LOC_SIG: u32 = 0x0706_4b50;
const DIR64_END_LEN: usize = 56;
const DIR64_END_SIG: u32 = 0x0606_4b50;
const DATA_DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const DATA_DESCRIPTOR_LEN: u64 = 16;
const ZIP64_EXTRA_ID: u16 = 0x0001;

/// Buffer size for streaming entry contents.
pub(crate) const BUF_SIZE: usize = 64 * 1024;

/// One central-directory entry, as Go's `zip.File` sees it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: Vec<u8>,
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    /// Offset of the local header, base offset included (Go's `headerOffset`).
    pub header_offset: i64,
}

/// All central-directory entries in stored order.
#[derive(Debug)]
pub(crate) struct Archive {
    pub entries: Vec<Entry>,
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

/// `ReaderAt.ReadAt` semantics: fills `buf` from `off`; a short read is
/// reported as `UnexpectedEof` (Go's `io.EOF` from ReadAt).
fn read_at<R: Read + Seek>(r: &mut R, off: i64, buf: &mut [u8]) -> Result<(), ArchiveError> {
    if off < 0 {
        return Err(ArchiveError::NegativeOffset);
    }
    r.seek(SeekFrom::Start(off as u64))?;
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => return Err(ArchiveError::UnexpectedEof),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Reads up to `buf.len()` bytes from the end of a `size`-byte reader.
fn read_tail<R: Read + Seek>(r: &mut R, size: u64, len: usize) -> Result<Vec<u8>, ArchiveError> {
    let mut buf = vec![0u8; len];
    read_at(r, (size - len as u64) as i64, &mut buf)?;
    Ok(buf)
}

/// Go's `findSignatureInBlock`.
fn find_signature(b: &[u8]) -> Option<usize> {
    if b.len() < END_LEN {
        return None;
    }
    for i in (0..=b.len() - END_LEN).rev() {
        if u32_at(b, i) == END_SIG {
            let n = u16_at(b, i + END_LEN - 2) as usize;
            if n + END_LEN + i > b.len() {
                return None;
            }
            return Some(i);
        }
    }
    None
}

struct DirectoryEnd {
    records: u64,
    dir_size: u64,
    dir_offset: u64,
}

/// Go's `readDirectoryEnd`: the end record, its zip64 form, the base offset.
fn read_directory_end<R: Read + Seek>(
    r: &mut R,
    size: u64,
) -> Result<(DirectoryEnd, i64), ArchiveError> {
    let mut found = None;
    for (i, want) in [1024u64, 65 * 1024].into_iter().enumerate() {
        let len = want.min(size);
        let buf = read_tail(r, size, len as usize)?;
        if let Some(p) = find_signature(&buf) {
            found = Some((buf[p..].to_vec(), size - len + p as u64));
            break;
        }
        if i == 1 || len == size {
            return Err(ArchiveError::Format);
        }
    }
    let Some((b, end_offset)) = found else {
        return Err(ArchiveError::Format);
    };
    let mut d = DirectoryEnd {
        records: u64::from(u16_at(&b, 10)),
        dir_size: u64::from(u32_at(&b, 12)),
        dir_offset: u64::from(u32_at(&b, 16)),
    };
    let comment_len = u16_at(&b, 20) as usize;
    if comment_len > b.len() - END_LEN {
        return Err(ArchiveError::CommentLength);
    }
    let mut end_offset = end_offset as i64;
    // Go tests directorySize against 0xffff (not 0xffffffff); kept as is.
    if (d.records == 0xffff || d.dir_size == 0xffff || d.dir_offset == 0xffff_ffff)
        && let Some(p) = find_directory64_end(r, end_offset)?
    {
        end_offset = p;
        read_directory64_end(r, p, &mut d)?;
    }
    let max = (1u64 << 63) - 1;
    if d.dir_size > max || d.dir_offset > max {
        return Err(ArchiveError::Format);
    }
    let mut base = end_offset
        .wrapping_sub(d.dir_size as i64)
        .wrapping_sub(d.dir_offset as i64);
    let o = base.wrapping_add(d.dir_offset as i64);
    if o < 0 || o as u64 >= size {
        return Err(ArchiveError::Format);
    }
    // Some writers record a wrong base offset; Go then prefers 0 when a
    // directory header is found at the recorded offset.
    if base > 0 {
        let off = d.dir_offset;
        if off < size {
            let mut section = Section::new(r, off, size - off)?;
            if read_directory_header(&mut section).is_ok() {
                base = 0;
            }
        }
    }
    Ok((d, base))
}

fn find_directory64_end<R: Read + Seek>(
    r: &mut R,
    end_offset: i64,
) -> Result<Option<i64>, ArchiveError> {
    let loc = end_offset - DIR64_LOC_LEN;
    if loc < 0 {
        return Ok(None);
    }
    let mut b = [0u8; DIR64_LOC_LEN as usize];
    read_at(r, loc, &mut b)?;
    if u32_at(&b, 0) != DIR64_LOC_SIG || u32_at(&b, 4) != 0 || u32_at(&b, 16) != 1 {
        return Ok(None);
    }
    Ok(Some(u64_at(&b, 8) as i64))
}

fn read_directory64_end<R: Read + Seek>(
    r: &mut R,
    off: i64,
    d: &mut DirectoryEnd,
) -> Result<(), ArchiveError> {
    let mut b = [0u8; DIR64_END_LEN];
    read_at(r, off, &mut b)?;
    if u32_at(&b, 0) != DIR64_END_SIG {
        return Err(ArchiveError::Format);
    }
    d.records = u64_at(&b, 32);
    d.dir_size = u64_at(&b, 40);
    d.dir_offset = u64_at(&b, 48);
    Ok(())
}

/// A window `[start, start+len)` of the underlying reader (Go's SectionReader).
struct Section<'a, R> {
    r: &'a mut R,
    left: u64,
}

impl<'a, R: Read + Seek> Section<'a, R> {
    fn new(r: &'a mut R, start: u64, len: u64) -> Result<Self, ArchiveError> {
        r.seek(SeekFrom::Start(start))?;
        Ok(Section { r, left: len })
    }
}

impl<R: Read> Read for Section<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        if n == 0 {
            return Ok(0);
        }
        let k = self.r.read(&mut buf[..n])?;
        self.left -= k as u64;
        Ok(k)
    }
}

/// Go's `io.ReadFull` outcome classes.
enum Full {
    Ok,
    /// Nothing read: Go's `io.EOF`.
    Eof,
    /// Partly read: Go's `io.ErrUnexpectedEOF`.
    Short,
}

fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<Full> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => return Ok(if n == 0 { Full::Eof } else { Full::Short }),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Full::Ok)
}

/// Outcome of Go's `readDirectoryHeader` that ends the directory loop.
enum HeaderStop {
    /// ErrFormat or ErrUnexpectedEOF: stop and compare the count.
    Soft(ArchiveError),
    /// Any other error: fatal.
    Hard(ArchiveError),
}

fn read_directory_header<R: Read>(r: &mut R) -> Result<Entry, HeaderStop> {
    let mut b = [0u8; DIR_HEADER_LEN];
    match read_full(r, &mut b).map_err(|e| HeaderStop::Hard(e.into()))? {
        Full::Ok => {}
        Full::Eof => return Err(HeaderStop::Hard(ArchiveError::Eof)),
        Full::Short => return Err(HeaderStop::Soft(ArchiveError::UnexpectedEof)),
    }
    if u32_at(&b, 0) != DIR_HEADER_SIG {
        return Err(HeaderStop::Soft(ArchiveError::Format));
    }
    let flags = u16_at(&b, 8);
    let method = u16_at(&b, 10);
    let crc32 = u32_at(&b, 16);
    let csize32 = u32_at(&b, 20);
    let usize32 = u32_at(&b, 24);
    let name_len = u16_at(&b, 28) as usize;
    let extra_len = u16_at(&b, 30) as usize;
    let comment_len = u16_at(&b, 32) as usize;
    let offset32 = u32_at(&b, 42);
    let mut d = vec![0u8; name_len + extra_len + comment_len];
    match read_full(r, &mut d).map_err(|e| HeaderStop::Hard(e.into()))? {
        Full::Ok => {}
        // io.ReadFull of a non-empty buffer with nothing read is io.EOF.
        Full::Eof => return Err(HeaderStop::Hard(ArchiveError::Eof)),
        Full::Short => return Err(HeaderStop::Soft(ArchiveError::UnexpectedEof)),
    }
    let extra = &d[name_len..name_len + extra_len];
    let mut e = Entry {
        name: d[..name_len].to_vec(),
        flags,
        method,
        crc32,
        compressed_size: u64::from(csize32),
        uncompressed_size: u64::from(usize32),
        header_offset: i64::from(offset32),
    };
    let mut need_u = usize32 == u32::MAX;
    let mut need_c = csize32 == u32::MAX;
    let mut need_off = offset32 == u32::MAX;
    let mut x = extra;
    while x.len() >= 4 {
        let tag = u16_at(x, 0);
        let size = u16_at(x, 2) as usize;
        x = &x[4..];
        if x.len() < size {
            break;
        }
        let mut field = &x[..size];
        x = &x[size..];
        if tag == ZIP64_EXTRA_ID {
            for (need, slot) in [
                (&mut need_u, &mut e.uncompressed_size),
                (&mut need_c, &mut e.compressed_size),
            ] {
                if *need {
                    *need = false;
                    if field.len() < 8 {
                        return Err(HeaderStop::Soft(ArchiveError::Format));
                    }
                    *slot = u64_at(field, 0);
                    field = &field[8..];
                }
            }
            if need_off {
                need_off = false;
                if field.len() < 8 {
                    return Err(HeaderStop::Soft(ArchiveError::Format));
                }
                e.header_offset = u64_at(field, 0) as i64;
            }
        }
    }
    // An uncompressed size of 2^32-1 without zip64 is accepted (42.zip).
    if need_c || need_off {
        return Err(HeaderStop::Soft(ArchiveError::Format));
    }
    Ok(e)
}

/// Go's `zip.NewReader`: lists every central-directory entry.
pub(crate) fn read_archive<R: Read + Seek>(r: &mut R) -> Result<Archive, ArchiveError> {
    let size = r.seek(SeekFrom::End(0))?;
    let (end, base) = read_directory_end(r, size)?;
    let start = base.wrapping_add(end.dir_offset as i64) as u64;
    // Each entry takes at least 46 bytes, which bounds the preallocation.
    let cap = end.records.min(size / DIR_HEADER_LEN as u64) as usize;
    let mut entries = Vec::with_capacity(cap);
    let mut section = BufReader::with_capacity(BUF_SIZE, Section::new(r, start, size - start)?);
    let stop = loop {
        match read_directory_header(&mut section) {
            Ok(mut e) => {
                e.header_offset = e.header_offset.wrapping_add(base);
                entries.push(e);
            }
            Err(HeaderStop::Soft(err)) => break err,
            Err(HeaderStop::Hard(err)) => return Err(err),
        }
    };
    // Go compares only the low 16 bits: the count field of zip32 wraps.
    if entries.len() as u16 != end.records as u16 {
        return Err(stop);
    }
    Ok(Archive { entries })
}

/// Streams the uncompressed content of `e` to `sink` with the checks of Go's
/// `File.Open` + `checksumReader`; returns the number of bytes produced.
pub(crate) fn stream_entry<R: Read + Seek>(
    r: &mut R,
    e: &Entry,
    buf: &mut Vec<u8>,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u64, ArchiveError> {
    let mut h = [0u8; FILE_HEADER_LEN];
    read_at(r, e.header_offset, &mut h)?;
    if u32_at(&h, 0) != FILE_HEADER_SIG {
        return Err(ArchiveError::Format);
    }
    let body = FILE_HEADER_LEN as i64 + i64::from(u16_at(&h, 26)) + i64::from(u16_at(&h, 28));
    if e.name.last() == Some(&b'/') {
        // Directories have no data; Go fails on a read when a size is declared.
        return if e.uncompressed_size != 0 {
            Err(ArchiveError::Format)
        } else {
            Ok(0)
        };
    }
    if e.method != 0 && e.method != 8 {
        return Err(ArchiveError::Algorithm(e.method));
    }
    let data_start = e.header_offset.wrapping_add(body);
    if data_start < 0 {
        return Err(ArchiveError::NegativeOffset);
    }
    // crc32fast picks the carry-less-multiply kernel at run time; flate2's zlib-rs Crc ran
    // the portable one and cost about 6% of a cache verification.
    let mut crc = crc32fast::Hasher::new();
    let mut nread: u64 = 0;
    let mut over = false;
    let declared = e.uncompressed_size;
    let mut feed = |chunk: &[u8]| -> bool {
        crc.update(chunk);
        nread += chunk.len() as u64;
        if nread > declared {
            over = true;
            return false;
        }
        sink(chunk);
        true
    };
    if buf.len() < 2 * BUF_SIZE {
        buf.resize(2 * BUF_SIZE, 0);
    }
    let (inbuf, outbuf) = buf.split_at_mut(BUF_SIZE);
    {
        let mut section = Section::new(r, data_start as u64, e.compressed_size)?;
        if e.method == 0 {
            loop {
                let n = match section.read(inbuf) {
                    Ok(n) => n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => return Err(err.into()),
                };
                if n == 0 {
                    break;
                }
                if !feed(&inbuf[..n]) {
                    return Err(ArchiveError::ExceedsDeclaredSize);
                }
            }
        } else {
            inflate(&mut section, inbuf, outbuf, &mut feed)?;
            if over {
                return Err(ArchiveError::ExceedsDeclaredSize);
            }
        }
    }
    if nread != declared {
        return Err(ArchiveError::UnexpectedEof);
    }
    let sum = crc.finalize();
    if e.flags & 0x8 != 0 {
        let start = (data_start as u64).saturating_add(e.compressed_size);
        let mut section = Section::new(r, start, DATA_DESCRIPTOR_LEN)?;
        let mut d = [0u8; 12];
        match read_full(&mut section, &mut d[..4])? {
            Full::Ok => {}
            _ => return Err(ArchiveError::UnexpectedEof),
        }
        let off = if u32_at(&d, 0) == DATA_DESCRIPTOR_SIG {
            0
        } else {
            4
        };
        match read_full(&mut section, &mut d[off..12])? {
            Full::Ok => {}
            _ => return Err(ArchiveError::UnexpectedEof),
        }
        // With a signature, the 12 bytes after it overwrite it: the CRC is
        // the first word either way.
        let real = u32_at(&d, 0);
        if real != e.crc32 || sum != e.crc32 {
            return Err(ArchiveError::Checksum);
        }
    } else if e.crc32 != 0 && sum != e.crc32 {
        return Err(ArchiveError::Checksum);
    }
    Ok(nread)
}

/// Raw DEFLATE with Go's `compress/flate` outcomes: data after the final
/// block is ignored, input ending before it is `UnexpectedEof`.
fn inflate<R: Read>(
    r: &mut R,
    inbuf: &mut [u8],
    outbuf: &mut [u8],
    feed: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(), ArchiveError> {
    thread_local! {
        // One inflater per thread, reset for each entry: a fresh one per entry (its state and
        // window) made glibc's heap grow to several times the live memory on zips of
        // thousands of small files.
        static INFLATER: std::cell::RefCell<Option<Decompress>> =
            const { std::cell::RefCell::new(None) };
    }
    INFLATER.with_borrow_mut(|slot| {
        let d = slot.get_or_insert_with(|| Decompress::new(false));
        d.reset(false);
        inflate_with(d, r, inbuf, outbuf, feed)
    })
}

fn inflate_with<R: Read>(
    d: &mut Decompress,
    r: &mut R,
    inbuf: &mut [u8],
    outbuf: &mut [u8],
    feed: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(), ArchiveError> {
    let (mut pos, mut len, mut eof) = (0usize, 0usize, false);
    loop {
        if pos == len && !eof {
            len = loop {
                match r.read(inbuf) {
                    Ok(n) => break n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => return Err(err.into()),
                }
            };
            pos = 0;
            eof = len == 0;
        }
        let (in0, out0) = (d.total_in(), d.total_out());
        let flush = if eof {
            FlushDecompress::Finish
        } else {
            FlushDecompress::None
        };
        let status = d
            .decompress(&inbuf[pos..len], outbuf, flush)
            .map_err(|_| ArchiveError::Corrupt)?;
        let consumed = (d.total_in() - in0) as usize;
        let produced = (d.total_out() - out0) as usize;
        pos += consumed;
        if produced > 0 && !feed(&outbuf[..produced]) {
            return Ok(());
        }
        if status == Status::StreamEnd {
            return Ok(());
        }
        if consumed == 0 && produced == 0 && eof {
            return Err(ArchiveError::UnexpectedEof);
        }
    }
}
