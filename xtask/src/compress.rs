//! gzip and brotli as the handler's precompressed files use them: `cargo xtask dist` writes
//! them and the size bench measures them, so both share these two functions.

use std::io::Write;

use anyhow::Result;

pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    // Quality 11 with a 4 MiB window (lgwin 22): what static pre-compression uses.
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
    encoder.write_all(bytes)?;
    Ok(encoder.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn compressed_sizes_are_complete_streams() {
        let text = "leadform ".repeat(1000);
        let gz = gzip(text.as_bytes()).unwrap();
        let br = brotli(text.as_bytes()).unwrap();
        assert!(
            gz.len() < text.len() / 10,
            "gzip should shrink repetitive text"
        );
        assert!(
            br.len() < text.len() / 10,
            "brotli should shrink repetitive text"
        );

        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, text);
        let mut unbrotlied = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut unbrotlied)
            .unwrap();
        assert_eq!(unbrotlied, text);
    }
}
