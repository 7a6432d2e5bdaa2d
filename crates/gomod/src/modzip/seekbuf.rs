//! A buffered reader for zip files whose seeks keep the buffer.

use std::io::{self, Read, Seek, SeekFrom};

/// A buffered reader whose seeks land inside its buffer when they can.
///
/// std's `BufReader` drops its buffer on every `seek`, and reading a zip seeks twice per
/// entry (to the local header, then to the data): with many small entries each one re-read
/// a whole buffer from the file, several times the zip's size. Here a seek to a position the
/// buffer holds only moves the cursor, so a zip read in stored order is read once.
///
/// ```
/// use std::io::{Cursor, Read, Seek, SeekFrom};
/// use gomod::modzip::SeekBufReader;
///
/// let mut r = SeekBufReader::with_capacity(4, Cursor::new(b"abcdefgh".to_vec()));
/// let mut two = [0u8; 2];
/// r.read_exact(&mut two).unwrap();
/// r.seek(SeekFrom::Start(1)).unwrap(); // inside the buffer: no read from the file
/// r.read_exact(&mut two).unwrap();
/// assert_eq!(&two, b"bc");
/// assert_eq!(r.seek(SeekFrom::End(-1)).unwrap(), 7);
/// ```
#[derive(Debug)]
pub struct SeekBufReader<R> {
    inner: R,
    buf: Box<[u8]>,
    /// File offset of `buf[0]`.
    start: u64,
    pos: usize,
    filled: usize,
}

impl<R: Read + Seek> SeekBufReader<R> {
    /// A reader with a buffer of `capacity` bytes (at least 1), positioned where `inner` is
    /// assumed to be: at its start.
    pub fn with_capacity(capacity: usize, inner: R) -> Self {
        SeekBufReader {
            inner,
            buf: vec![0u8; capacity.max(1)].into_boxed_slice(),
            start: 0,
            pos: 0,
            filled: 0,
        }
    }

    fn position(&self) -> u64 {
        self.start + self.pos as u64
    }
}

impl<R: Read + Seek> Read for SeekBufReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.filled {
            let at = self.position();
            if out.len() >= self.buf.len() {
                // A large read goes straight to the caller; the buffer is left empty here.
                let n = self.inner.read(out)?;
                (self.start, self.pos, self.filled) = (at + n as u64, 0, 0);
                return Ok(n);
            }
            let n = self.inner.read(&mut self.buf)?;
            (self.start, self.pos, self.filled) = (at, 0, n);
        }
        let n = out.len().min(self.filled - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for SeekBufReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.position().checked_add_signed(d),
            SeekFrom::End(_) => None,
        };
        if let Some(t) = target
            && t >= self.start
            && t <= self.start + self.filled as u64
        {
            self.pos = (t - self.start) as usize;
            return Ok(t);
        }
        // Outside the buffer: the underlying position is `start + filled`, so a relative
        // seek is made absolute first.
        let to = match (to, target) {
            (SeekFrom::End(d), _) => SeekFrom::End(d),
            (_, Some(t)) => SeekFrom::Start(t),
            (_, None) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "seek to a negative or overflowing position",
                ));
            }
        };
        let n = self.inner.seek(to)?;
        (self.start, self.pos, self.filled) = (n, 0, 0);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// Counts the bytes read from the inner reader.
    struct Counting {
        inner: Cursor<Vec<u8>>,
        read: usize,
    }
    impl Read for Counting {
        fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(b)?;
            self.read += n;
            Ok(n)
        }
    }
    impl Seek for Counting {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.inner.seek(to)
        }
    }

    #[test]
    fn reads_match_a_plain_cursor_under_random_seeks() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut plain = Cursor::new(data.clone());
        let mut r = SeekBufReader::with_capacity(64, Cursor::new(data.clone()));
        let mut seed = 12345u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..5_000 {
            let to = match next(4) {
                0 => SeekFrom::Start(next(10_100)),
                1 => SeekFrom::Current(next(300) as i64 - 150),
                2 => SeekFrom::End(-(next(200) as i64)),
                _ => SeekFrom::Current(0),
            };
            let (a, b) = (plain.seek(to), r.seek(to));
            assert_eq!(a.is_ok(), b.is_ok(), "{to:?}");
            if a.is_err() {
                // A failed seek leaves both where they were.
                continue;
            }
            assert_eq!(a.unwrap(), b.unwrap(), "{to:?}");
            let len = next(200) as usize;
            let (mut x, mut y) = (vec![0u8; len], vec![0u8; len]);
            let (nx, ny) = (plain.read(&mut x).unwrap(), read_all(&mut r, &mut y));
            assert_eq!(&x[..nx], &y[..ny.min(nx)]);
            assert_eq!(nx, ny);
        }
    }

    fn read_all(r: &mut impl Read, b: &mut [u8]) -> usize {
        let mut n = 0;
        while n < b.len() {
            match r.read(&mut b[n..]).unwrap() {
                0 => break,
                k => n += k,
            }
        }
        n
    }

    #[test]
    fn seeks_inside_the_buffer_read_nothing_more() {
        let data = vec![7u8; 4096];
        let mut r = SeekBufReader::with_capacity(
            1024,
            Counting {
                inner: Cursor::new(data),
                read: 0,
            },
        );
        let mut b = [0u8; 30];
        for off in [0u64, 100, 40, 500, 1000] {
            r.seek(SeekFrom::Start(off)).unwrap();
            r.read_exact(&mut b).unwrap();
        }
        // 1000 + 30 crosses the buffer's end once.
        assert_eq!(r.inner.read, 2048);
    }
}
