//! Crash-safe replacement of output files: every file the CLI writes (`ntk gram --output`,
//! `ntk figures --out`) goes through [`AtomicFile`].
//!
//! The data go to a fresh temporary file in the target's directory (so that the final rename
//! stays within one file system), which is flushed and `fsync`ed and then renamed over the
//! target; the directory is `fsync`ed afterwards (best effort). A reader therefore sees either
//! the old file or the complete new one, never a truncated mix. If anything fails before the
//! rename (a write error, a full disk, a computation error of the caller, a panic), the
//! temporary file is removed and the old file, if any, is left untouched.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Attempts at finding an unused temporary name before giving up.
const NAME_ATTEMPTS: u32 = 64;

/// A file being written; it replaces its target only on [`AtomicFile::commit`].
///
/// Dropping it without committing removes the temporary file.
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    /// `None` once the file has been handed to [`AtomicFile::commit`].
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file for `target` (`.NAME.PID-N.tmp` in the same directory). The
    /// new file gets the permissions of an existing target (best effort). A symbolic link is
    /// written through: the file it points to is replaced, the link is kept.
    pub fn create(target: &Path) -> io::Result<Self> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let target = match fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => {
                fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf())
            }
            _ => target.to_path_buf(),
        };
        let target = target.as_path();
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut last = None;
        for _ in 0..NAME_ATTEMPTS {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let mut tmp_name = std::ffi::OsString::from(".");
            tmp_name.push(name);
            tmp_name.push(format!(".{}-{n}.tmp", std::process::id()));
            let tmp = dir.join(tmp_name);
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    if let Ok(meta) = fs::metadata(target) {
                        if meta.is_file() {
                            let _ = file.set_permissions(meta.permissions());
                        }
                    }
                    return Ok(Self {
                        target: target.to_path_buf(),
                        tmp,
                        file: Some(BufWriter::new(file)),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
    }

    /// The path of the temporary file (for tests).
    #[cfg(test)]
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes, `fsync`s and renames the temporary file over the target. On failure the
    /// temporary file is removed and the target is unchanged.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.file.take().expect("an uncommitted file");
        let result = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
            .and_then(|file| file.sync_all())
            .and_then(|()| fs::rename(&self.tmp, &self.target));
        if let Err(e) = result {
            let _ = fs::remove_file(&self.tmp);
            return Err(e);
        }
        // The rename is durable once the directory is synced; not every file system supports
        // syncing a directory, and the new file is complete either way.
        if let Some(dir) = self.target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.as_mut().expect("an uncommitted file").write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file
            .as_mut()
            .expect("an uncommitted file")
            .write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().expect("an uncommitted file").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(writer) = self.file.take() {
            // Not committed: discard the data (errors of the final flush are irrelevant).
            drop(writer.into_parts());
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `contents` to `target` atomically.
pub fn write_bytes(target: &Path, contents: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(contents)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ntk-atomic-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_the_target() {
        let dir = scratch("commit");
        let target = dir.join("K.csv");
        fs::write(&target, "old\n").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new\n").unwrap();
        // nothing visible before the commit
        assert_eq!(fs::read(&target).unwrap(), b"old\n");
        f.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new\n");
        assert_eq!(entries(&dir), ["K.csv"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A writer that fails half-way (dropped without commit) leaves the old file and no
    /// temporary file.
    #[test]
    fn failed_writer_keeps_the_old_file() {
        let dir = scratch("fail");
        let target = dir.join("K.npy");
        fs::write(&target, "old contents").unwrap();
        let body = |w: &mut AtomicFile| -> io::Result<()> {
            w.write_all(&[0u8; 100_000])?;
            Err(io::Error::other("simulated failure"))
        };
        let result = AtomicFile::create(&target).and_then(|mut f| {
            body(&mut f)?;
            f.commit()
        });
        assert!(result.is_err());
        assert_eq!(fs::read(&target).unwrap(), b"old contents");
        assert_eq!(entries(&dir), ["K.npy"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The rename fails when the target is a non-empty directory: error, temporary removed.
    #[test]
    fn failed_rename_removes_the_temporary() {
        let dir = scratch("rename");
        let target = dir.join("K.csv");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "x").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        let tmp = f.temp_path().to_path_buf();
        assert!(tmp.exists());
        f.write_all(b"1,2\n").unwrap();
        assert!(f.commit().is_err());
        assert!(!tmp.exists());
        assert_eq!(entries(&dir), ["K.csv"]);
        assert!(target.join("inside").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn permissions_of_an_existing_target_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("perm");
        let target = dir.join("K.csv");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        write_bytes(&target, b"new").unwrap();
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_written_through() {
        let dir = scratch("link");
        let real = dir.join("real.csv");
        fs::write(&real, "old").unwrap();
        let link = dir.join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_bytes(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(entries(&dir), ["link.csv", "real.csv"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn relative_target_in_the_current_directory() {
        // a bare file name has the empty parent: the temporary goes to "."
        let f = AtomicFile::create(Path::new("ntk-atomic-relative-test.csv")).unwrap();
        assert!(f.temp_path().starts_with("."));
        drop(f);
        assert!(!Path::new("ntk-atomic-relative-test.csv").exists());
    }
}
